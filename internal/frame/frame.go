// Package frame writes and reads the framed binary streams of the
// checkpoint parts (SAC agents, DADS learners and skill dynamics): an
// 8-byte magic, a uint32 version, the uint64 payload length, the payload
// and a CRC-32 (IEEE) of the payload, little-endian.
package frame

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// ErrCorrupt is returned, wrapped, by Read for a stream that is truncated,
// has another magic or version, or fails its checksum.
var ErrCorrupt = errors.New("corrupt or truncated stream")

// maxPayload bounds the payload length a header may claim (4 GiB).
const maxPayload = 1 << 32

// Write writes payload framed with magic (8 bytes) and version.
func Write(w io.Writer, magic string, version uint32, payload []byte) error {
	if len(magic) != 8 {
		return fmt.Errorf("frame: magic %q is not 8 bytes", magic)
	}
	bw := bufio.NewWriter(w)
	hdr := append([]byte(magic), binary.LittleEndian.AppendUint32(nil, version)...)
	hdr = binary.LittleEndian.AppendUint64(hdr, uint64(len(payload)))
	bw.Write(hdr)
	bw.Write(payload)
	bw.Write(binary.LittleEndian.AppendUint32(nil, crc32.ChecksumIEEE(payload)))
	return bw.Flush()
}

// Read reads what Write wrote with magic and version and returns the
// payload. It reads exactly those bytes, so more may follow in r, and
// allocates in proportion to the bytes actually read.
func Read(r io.Reader, magic string, version uint32) ([]byte, error) {
	hdr := make([]byte, len(magic)+12)
	if err := readFull(r, hdr); err != nil {
		return nil, err
	}
	if string(hdr[:len(magic)]) != magic {
		return nil, fmt.Errorf("%w: bad magic %q, want %q", ErrCorrupt, hdr[:len(magic)], magic)
	}
	if v := binary.LittleEndian.Uint32(hdr[len(magic):]); v != version {
		return nil, fmt.Errorf("%w: %s version %d, want %d", ErrCorrupt, magic, v, version)
	}
	n := binary.LittleEndian.Uint64(hdr[len(magic)+4:])
	if n > maxPayload {
		return nil, fmt.Errorf("%w: %s payload of %d bytes", ErrCorrupt, magic, n)
	}
	var buf bytes.Buffer
	if _, err := io.CopyN(&buf, r, int64(n)); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: %w", ErrCorrupt, io.ErrUnexpectedEOF)
		}
		return nil, err
	}
	var sum [4]byte
	if err := readFull(r, sum[:]); err != nil {
		return nil, err
	}
	if got, want := binary.LittleEndian.Uint32(sum[:]), crc32.ChecksumIEEE(buf.Bytes()); got != want {
		return nil, fmt.Errorf("%w: %s checksum %08x, want %08x", ErrCorrupt, magic, got, want)
	}
	return buf.Bytes(), nil
}

// readFull is io.ReadFull reporting a short read as a truncated stream.
func readFull(r io.Reader, b []byte) error {
	if _, err := io.ReadFull(r, b); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("%w: %w", ErrCorrupt, io.ErrUnexpectedEOF)
		}
		return err
	}
	return nil
}
