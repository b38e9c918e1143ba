// Greenlight's own small programs for the real-node tier of the local stack
// (test/stack/real-nodes.ts): greenlight-pause (the pod sandbox process) and
// greenlight-relay (TCP relays between the host's loopback and the node's
// network namespace). Built by test/stack/install.sh like the other wrappers.
module greenlight.test/stack/nodetools

go 1.25.0

require golang.org/x/sys v0.46.0
