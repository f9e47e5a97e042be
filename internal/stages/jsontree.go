package stages

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// kind is the JSON type of a node.
type kind int

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

// String names the kind the way error messages talk about JSON values.
func (k kind) String() string {
	switch k {
	case kindNull:
		return "null"
	case kindBool:
		return "a boolean"
	case kindNumber:
		return "a number"
	case kindString:
		return "a string"
	case kindArray:
		return "an array"
	case kindObject:
		return "an object"
	}
	return "an unknown value"
}

// node is one JSON value with the byte offset where it starts, so that
// diagnostics can be sorted by their place in the file and syntax errors
// can be given a line and column.
type node struct {
	kind    kind
	off     int
	b       bool
	num     json.Number
	str     string
	elems   []*node
	members []member
}

// member is one key of an object, in file order.
type member struct {
	key    string
	keyOff int
	val    *node
}

// syntaxError is malformed JSON at a byte offset.
type syntaxError struct {
	off int
	msg string
}

func (e *syntaxError) Error() string { return e.msg }

// maxDepth bounds nesting so that hostile input cannot exhaust the stack;
// a valid config.json is at most a handful of levels deep.
const maxDepth = 64

// parseTree parses data as one JSON value followed by nothing but white
// space. Duplicate keys are kept (the caller reports them).
func parseTree(data []byte) (*node, error) {
	p := &treeParser{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &syntaxError{off: len(data), msg: "the file is empty"}
	}
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	off := p.next()
	if _, err := p.dec.Token(); err != io.EOF {
		return nil, &syntaxError{off: off, msg: "unexpected text after the end of the top-level value"}
	}
	return n, nil
}

type treeParser struct {
	data []byte
	dec  *json.Decoder
}

// next returns the offset of the start of the next token: the decoder's
// offset moved past white space and the separators it consumes itself.
func (p *treeParser) next() int {
	off := int(p.dec.InputOffset())
	for off < len(p.data) {
		switch p.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

func (p *treeParser) token() (json.Token, int, error) {
	off := p.next()
	tok, err := p.dec.Token()
	if err != nil {
		return nil, off, p.wrap(err, off)
	}
	return tok, off, nil
}

// wrap turns an error of the streaming decoder into a syntaxError. The
// decoder's offsets are not always absolute (inside a string or literal
// they count from the token), so the position comes from validating the
// whole input, whose scanner counts from the first byte.
func (p *treeParser) wrap(err error, off int) error {
	var raw json.RawMessage
	verr := json.Unmarshal(p.data, &raw)
	var se *json.SyntaxError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.As(verr, &se) && strings.HasPrefix(se.Error(), "unexpected end of JSON input"):
		return &syntaxError{off: len(p.data), msg: "unexpected end of file: a value, bracket or brace is missing"}
	case errors.As(verr, &se):
		o := int(se.Offset)
		if o > 0 {
			o-- // the scanner's offset is just past the offending byte
		}
		return &syntaxError{off: o, msg: cleanJSONMessage(se.Error())}
	}
	return &syntaxError{off: off, msg: cleanJSONMessage(err.Error())}
}

// cleanJSONMessage drops the Go package prefix from encoding/json errors.
func cleanJSONMessage(s string) string {
	return strings.TrimPrefix(s, "json: ")
}

func (p *treeParser) value(depth int) (*node, error) {
	tok, off, err := p.token()
	if err != nil {
		return nil, err
	}
	return p.fromToken(tok, off, depth)
}

func (p *treeParser) fromToken(tok json.Token, off, depth int) (*node, error) {
	switch t := tok.(type) {
	case nil:
		return &node{kind: kindNull, off: off}, nil
	case bool:
		return &node{kind: kindBool, off: off, b: t}, nil
	case json.Number:
		return &node{kind: kindNumber, off: off, num: t}, nil
	case string:
		return &node{kind: kindString, off: off, str: t}, nil
	case json.Delim:
		if depth >= maxDepth {
			return nil, &syntaxError{off: off, msg: "values are nested too deeply"}
		}
		switch t {
		case '{':
			n := &node{kind: kindObject, off: off}
			for p.dec.More() {
				ktok, koff, err := p.token()
				if err != nil {
					return nil, err
				}
				key, ok := ktok.(string)
				if !ok {
					return nil, &syntaxError{off: koff, msg: "object keys must be strings"}
				}
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.members = append(n.members, member{key: key, keyOff: koff, val: v})
			}
			if _, _, err := p.token(); err != nil { // '}'
				return nil, err
			}
			return n, nil
		case '[':
			n := &node{kind: kindArray, off: off}
			for p.dec.More() {
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.elems = append(n.elems, v)
			}
			if _, _, err := p.token(); err != nil { // ']'
				return nil, err
			}
			return n, nil
		}
	}
	return nil, &syntaxError{off: off, msg: "unexpected token"}
}

// lineCol converts a byte offset into a 1-based line and a 1-based column
// counted in characters.
func lineCol(data []byte, off int) (line, col int) {
	if off > len(data) {
		off = len(data)
	}
	if off < 0 {
		off = 0
	}
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	col = len([]rune(string(before[start:]))) + 1
	return line, col
}
