from django.urls import path

from realtime.consumers import ChairConsumer, ProjectorConsumer, TabletConsumer

websocket_urlpatterns = [
    path("ws/tablet/<int:session_id>/", TabletConsumer.as_asgi()),
    path("ws/chair/<int:session_id>/", ChairConsumer.as_asgi()),
    path("ws/projector/<int:session_id>/", ProjectorConsumer.as_asgi()),
]
