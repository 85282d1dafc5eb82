"""vigil-drill's helpers: trio (processes, netns), observe (writer, sentinel events, polls),
report (text summary and HTML timeline). deploy/vigil-drill is the entry point."""
