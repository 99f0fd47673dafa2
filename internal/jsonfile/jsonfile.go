// Package jsonfile decodes the sandbox's JSON files (training configs,
// robot models, checkpoint indexes) strictly: exactly one JSON object, no
// null, nothing after it but white space, no unknown fields, and errors
// that say where, as line:column.
package jsonfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Decode decodes data, which must hold one JSON object and nothing after
// it, into v, rejecting fields v does not have. An error gives the line
// and column of the mistake: "3:14: invalid character 'x' ...".
func Decode(data []byte, v any) error {
	start := bytes.TrimLeft(data, " \t\r\n")
	switch {
	case len(start) == 0:
		return errors.New("empty file: want a JSON object")
	case bytes.HasPrefix(start, []byte("null")):
		return fmt.Errorf("%s: null: want a JSON object", Position(data, len(data)-len(start)))
	case start[0] != '{':
		return fmt.Errorf("%s: want a JSON object, starting with {", Position(data, len(data)-len(start)))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return locate(data, dec, err)
	}
	off := int(dec.InputOffset())
	if rest := bytes.TrimLeft(data[off:], " \t\r\n"); len(rest) > 0 {
		return fmt.Errorf("%s: data after the JSON object (want one object per file)", Position(data, len(data)-len(rest)))
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%s: data after the JSON object (want one object per file)", Position(data, off))
	}
	return nil
}

// locate prefixes a decoding error with the line:column it happened at.
func locate(data []byte, dec *json.Decoder, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return fmt.Errorf("%s: unexpected end of file (truncated?)", Position(data, len(data)))
	case errors.As(err, &se):
		return fmt.Errorf("%s: %w", Position(data, int(se.Offset)-1), err) // Offset is just past the bad byte
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "(top level)"
		}
		return fmt.Errorf("%s: field %s: cannot use JSON %s as %v", Position(data, int(te.Offset)), field, te.Value, te.Type)
	}
	// Unknown fields and errors from UnmarshalJSON methods carry no
	// offset: an unknown field is looked up by its name, anything else is
	// placed where the decoder stopped, just after the object.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if re, rerr := regexp.Compile(regexp.QuoteMeta(name) + `\s*:`); rerr == nil {
			if loc := re.FindIndex(data); loc != nil {
				return fmt.Errorf("%s: unknown field %s", Position(data, loc[0]), name)
			}
		}
	}
	return fmt.Errorf("%s: %w", Position(data, int(dec.InputOffset())), err)
}

// Position returns "line:column" (both from 1, columns in bytes) of byte
// offset off in data.
func Position(data []byte, off int) string {
	off = max(0, min(off, len(data)))
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - bytes.LastIndexByte(data[:off], '\n')
	return fmt.Sprintf("%d:%d", line, col)
}
