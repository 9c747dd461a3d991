"""ASGI entry point: Django for HTTP, Chamber's consumers for WebSockets."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chamber.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_http = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from chamber.limits import RequestBodyLimit, install_daphne_guard  # noqa: E402
from chamber.routing import websocket_urlpatterns  # noqa: E402
from realtime.origin import SameOriginValidator  # noqa: E402
from resolutions import clock  # noqa: E402

# Bodies over their endpoint's limit are refused before they are read (under Daphne too).
install_daphne_guard()
# Written consultations close at their deadline even when nobody is connected: one clock
# thread per server process (resolutions/clock.py says why a thread started here).
clock.start()

application = ProtocolTypeRouter(
    {
        "http": RequestBodyLimit(django_http),
        # The origin check refuses the handshake of a page served by another site: scheme,
        # host and port must be the socket's own (or a trusted origin).
        # Each screen's own middleware (chamber.routing): tablets read only their cookies.
        "websocket": SameOriginValidator(URLRouter(websocket_urlpatterns)),
    }
)
