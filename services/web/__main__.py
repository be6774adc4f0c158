"""python -m services.web"""

from services.plumbing.serve import serve
from services.web.app import create_app
from shared.settings import WebSettings

serve(create_app, WebSettings())
