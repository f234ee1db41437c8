"""`newsdigest serve`, in four parts that each own one thing.

server.py  ServeOptions and DevServer: the loop that builds, publishes and rebuilds on change
httpd.py   listening, the Host check and request timeout, the request handler, HTML injection
reload.py  the build state open pages follow, its Server-Sent Events stream, the script tag
watch.py   which project folders are watched, and the change sets they report
live.js    the browser side of live reload (a package file, served by httpd.py)
"""
