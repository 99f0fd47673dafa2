package jsonfile

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecode(t *testing.T) {
	type cfg struct {
		A int `json:"a"`
		B []int
	}
	for _, tc := range []struct {
		in, err string
	}{
		{`{"a": 1}`, ""},
		{" \n{\"a\": 1}\n\n", ""},
		{``, "empty file: want a JSON object"},
		{`null`, "1:1: null: want a JSON object"},
		{` [1]`, "1:2: want a JSON object, starting with {"},
		{`{} garbage`, "1:4: data after the JSON object (want one object per file)"},
		{`{}{}`, "1:3: data after the JSON object (want one object per file)"},
		{`{}}`, "1:3: data after the JSON object (want one object per file)"},
		{"{\n  \"a\": 1,", "2:10: unexpected end of file (truncated?)"},
		{"{\n  \"a\": x}", "2:8: invalid character 'x' looking for beginning of value"},
		{"{\n  \"a\": \"x\"}", "2:11: field a: cannot use JSON string as int"},
		{"{\"c\": 1}", `1:2: unknown field "c"`},
	} {
		var c cfg
		err := Decode([]byte(tc.in), &c)
		if tc.err == "" {
			require.NoError(t, err, "Decode(%q)", tc.in)
			assert.Equal(t, 1, c.A)
			continue
		}
		require.Error(t, err, "Decode(%q)", tc.in)
		assert.Equal(t, tc.err, err.Error(), "Decode(%q)", tc.in)
	}
}

func ExamplePosition() {
	fmt.Println(Position([]byte("{\n  \"a\": 1\n}"), 5))
	// Output: 2:4
}
