//go:build netlib

package nn

const wantBackend = "netlib"
