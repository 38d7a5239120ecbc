from nexo.core.api import Endpoints

endpoints = Endpoints()
