package main

// Every task package outside the tasks package, yours included, is listed
// once in tasks/all; boot links it into both binaries (sandbox and
// sandbox-view) with their runtime defaults and the zoo.
import _ "sandbox/cmd/internal/boot"
