"""The screens' WebSocket URLs (the consumers are meeting's, their machinery realtime's)."""

from django.urls import path

from meeting.consumers import ChairConsumer, ProjectorConsumer, TabletConsumer

websocket_urlpatterns = [
    path("ws/tablet/<int:session_id>/", TabletConsumer.as_asgi()),
    path("ws/chair/<int:session_id>/", ChairConsumer.as_asgi()),
    path("ws/projector/<int:session_id>/", ProjectorConsumer.as_asgi()),
]
