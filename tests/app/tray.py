#!/usr/bin/python3
"""Reads (and clicks) the Shark tray over D-Bus, as a tray host would.

Finds the app's StatusNotifierItem (libayatana-appindicator exports it under
/org/ayatana/NotificationItem/...), prints its properties and menu labels as
JSON, and with --click LABEL sends a "clicked" event to that menu item.
"""
import json
import sys
import time

import dbus

ITEM_ROOT = "/org/ayatana/NotificationItem"


def find_item(bus, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        for name in bus.list_names():
            if not name.startswith(":"):
                continue
            try:
                obj = bus.get_object(name, ITEM_ROOT, introspect=False)
                xml = obj.Introspect(dbus_interface="org.freedesktop.DBus.Introspectable", timeout=2)
            except dbus.DBusException:
                continue
            for line in xml.splitlines():
                line = line.strip()
                if line.startswith("<node name="):
                    child = line.split('"')[1]
                    return name, f"{ITEM_ROOT}/{child}"
        time.sleep(0.5)
    return None, None


def labels(layout):
    _id, props, children = layout
    out = []
    if "label" in props:
        out.append({"id": int(_id), "label": str(props["label"]), "enabled": bool(props.get("enabled", True))})
    for c in children:
        out.extend(labels(c))
    return out


def main():
    click = None
    if len(sys.argv) > 2 and sys.argv[1] == "--click":
        click = sys.argv[2]
    bus = dbus.SessionBus()
    name, path = find_item(bus, 20)
    if not name:
        print(json.dumps({"error": "no StatusNotifierItem found"}))
        sys.exit(1)
    item = bus.get_object(name, path, introspect=False)
    props = dbus.Interface(item, "org.freedesktop.DBus.Properties")
    get = lambda p: str(props.Get("org.kde.StatusNotifierItem", p, timeout=5))
    menu_path = str(props.Get("org.kde.StatusNotifierItem", "Menu", timeout=5))
    menu = dbus.Interface(bus.get_object(name, menu_path, introspect=False), "com.canonical.dbusmenu")
    _rev, layout = menu.GetLayout(0, -1, dbus.Array([], signature="s"), timeout=5)
    items = labels(layout)
    result = {"bus": name, "path": path, "icon": get("IconName"), "status": get("Status"), "menu": items}
    if click:
        target = next((i for i in items if i["label"] == click), None)
        if not target:
            print(json.dumps({"error": f"no menu item {click!r}", **result}))
            sys.exit(1)
        menu.Event(target["id"], "clicked", dbus.String("", variant_level=1), dbus.UInt32(0), timeout=5)
        result["clicked"] = click
    print(json.dumps(result))


if __name__ == "__main__":
    main()
