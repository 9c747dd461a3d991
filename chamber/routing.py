"""The screens' WebSocket URLs (the consumers are meeting's, their machinery realtime's).

Tablets are the mass (thousands a sitting) and carry their own signed pass
(meeting.tablet_pass): they read only their cookies, around the session and user middleware,
which would load a Django session from the database for every socket. Consoles and projectors
keep it: staff sign in with Django's login.
"""

from channels.auth import AuthMiddlewareStack
from channels.sessions import CookieMiddleware
from django.urls import path

from meeting.consumers import ChairConsumer, ProjectorConsumer, TabletConsumer

websocket_urlpatterns = [
    path("ws/tablet/<int:session_id>/", CookieMiddleware(TabletConsumer.as_asgi())),
    path("ws/chair/<int:session_id>/", AuthMiddlewareStack(ChairConsumer.as_asgi())),
    path("ws/projector/<int:session_id>/", AuthMiddlewareStack(ProjectorConsumer.as_asgi())),
]
