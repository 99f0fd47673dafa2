package main

// Every task package outside the tasks package, yours included, is listed
// once in tasks/all, which both binaries (sandbox and sandbox-view) import.
import _ "sandbox/tasks/all"
