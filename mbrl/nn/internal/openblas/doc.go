// Package openblas links libopenblas into builds with the netlib tag, so
// that gonum.org/v1/netlib resolves its cblas symbols without CGO_LDFLAGS.
// It lives apart from package nn because Go forbids assembly files in a
// package that uses cgo. Without the tag it is empty.
package openblas
