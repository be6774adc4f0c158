"""python -m services.web"""

from services.plumbing.runtime import serve
from services.web.app import create_app
from shared.settings import WebSettings

serve(create_app, WebSettings())
