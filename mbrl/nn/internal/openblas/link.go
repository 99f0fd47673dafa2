//go:build netlib

package openblas

/*
#cgo LDFLAGS: -lopenblas
*/
import "C"
