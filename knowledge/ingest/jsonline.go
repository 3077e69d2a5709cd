package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeJSONArticle decodes one JSONL line into a jsonArticle, as
// encoding/json.Unmarshal would, for the only shape a line may have: an
// object whose known fields are strings (or null), other fields any JSON.
// A bulk ingest spent a sixth of its parsing time in encoding/json, which
// validates a line in one pass and decodes it in another; this reads it
// once. FuzzDecodeJSONArticle holds it to encoding/json's results.
func decodeJSONArticle(b []byte) (jsonArticle, error) {
	var d jsonDecoder
	return d.decode(b)
}

// decode is decodeJSONArticle with d's scratch buffer kept from line to line.
func (d *jsonDecoder) decode(b []byte) (jsonArticle, error) {
	d.b, d.i = b, 0
	var a jsonArticle
	err := d.object(&a)
	if err == nil {
		d.space()
		if d.i < len(d.b) {
			err = d.syntax("after the object")
		}
	}
	if err != nil {
		var te *fieldTypeError
		if errors.As(err, &te) {
			return jsonArticle{}, err
		}
		return jsonArticle{}, fmt.Errorf("not a JSON object: %w", err)
	}
	return a, nil
}

// fieldTypeError is a known field holding something other than a string.
type fieldTypeError struct{ field, got string }

func (e *fieldTypeError) Error() string {
	return fmt.Sprintf("field %q must be a string, not a JSON %s", e.field, e.got)
}

type jsonDecoder struct {
	b       []byte
	i       int
	scratch []byte
}

func (d *jsonDecoder) syntax(where string) error {
	if d.i >= len(d.b) {
		return fmt.Errorf("unexpected end of JSON input")
	}
	return fmt.Errorf("invalid character %q %s", d.b[d.i], where)
}

func (d *jsonDecoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// field returns where a known key's value goes, or nil. Keys match without
// regard to case, as encoding/json matches them.
func (a *jsonArticle) field(key []byte) (*string, string) {
	for _, f := range jsonFields {
		if bytes.EqualFold(key, []byte(f)) {
			switch f {
			case "url":
				return &a.URL, f
			case "title":
				return &a.Title, f
			case "source":
				return &a.Source, f
			case "author":
				return &a.Author, f
			case "published":
				return &a.Published, f
			case "body":
				return &a.Body, f
			default:
				return &a.Lang, f
			}
		}
	}
	return nil, ""
}

var jsonFields = [...]string{"url", "title", "source", "author", "published", "body", "lang"}

func (d *jsonDecoder) object(a *jsonArticle) error {
	d.space()
	if d.i < len(d.b) && d.b[d.i] != '{' && jsonKind(d.b[d.i]) != "" {
		return fmt.Errorf("the line is a JSON %s", jsonKind(d.b[d.i]))
	}
	if d.i >= len(d.b) || d.b[d.i] != '{' {
		return d.syntax("looking for beginning of value")
	}
	return d.each(func(key []byte) error {
		if dst, name := a.field(key); dst != nil {
			return d.stringField(name, dst)
		}
		return d.skip(0)
	})
}

// each walks the object or array at d.i, calling value at each member's
// value with its key (nil in an array). The key is valid until value reads
// a string.
func (d *jsonDecoder) each(value func(key []byte) error) error {
	open, end := d.b[d.i], byte(']')
	if open == '{' {
		end = '}'
	}
	d.i++
	d.space()
	if d.i < len(d.b) && d.b[d.i] == end {
		d.i++
		return nil
	}
	for {
		d.space()
		var key []byte
		if open == '{' {
			if d.i >= len(d.b) || d.b[d.i] != '"' {
				return d.syntax("looking for beginning of object key string")
			}
			var err error
			if key, err = d.raw(); err != nil {
				return err
			}
			d.space()
			if d.i >= len(d.b) || d.b[d.i] != ':' {
				return d.syntax("after object key")
			}
			d.i++
			d.space()
		}
		if err := value(key); err != nil {
			return err
		}
		d.space()
		if d.i >= len(d.b) {
			return d.syntax("")
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case end:
			d.i++
			return nil
		default:
			return d.syntax("after value")
		}
	}
}

// stringField reads a known field's value: a string, or null (which
// leaves it as it was).
func (d *jsonDecoder) stringField(key string, dst *string) error {
	if d.i >= len(d.b) {
		return d.syntax("")
	}
	switch c := d.b[d.i]; {
	case c == '"':
		v, err := d.raw()
		*dst = string(v)
		return err
	case c == 'n':
		return d.literal("null")
	}
	start := d.i
	if err := d.skip(0); err != nil {
		return err
	}
	return &fieldTypeError{field: key, got: jsonKind(d.b[start])}
}

// jsonKind names the kind of JSON value that starts with c, or "".
func jsonKind(c byte) string {
	switch {
	case c == '"':
		return "string"
	case c == 't' || c == 'f':
		return "bool"
	case c == 'n':
		return "null"
	case c == '[':
		return "array"
	case c == '{':
		return "object"
	case c == '-' || c >= '0' && c <= '9':
		return "number"
	}
	return ""
}

func (d *jsonDecoder) literal(word string) error {
	if !bytes.HasPrefix(d.b[d.i:], []byte(word)) {
		return d.syntax("in literal")
	}
	d.i += len(word)
	return nil
}

// skip reads over any JSON value, checking it.
func (d *jsonDecoder) skip(depth int) error {
	if depth > 10000 {
		return errors.New("exceeded max depth")
	}
	if d.i >= len(d.b) {
		return d.syntax("")
	}
	switch c := d.b[d.i]; {
	case c == '"':
		_, err := d.raw()
		return err
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	case c == '[' || c == '{':
		return d.each(func([]byte) error { return d.skip(depth + 1) })
	}
	return d.syntax("looking for beginning of value")
}

// number reads a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *jsonDecoder) number() error {
	digits := func() int {
		n := 0
		for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	if d.b[d.i] == '-' {
		d.i++
	}
	switch {
	case d.i < len(d.b) && d.b[d.i] == '0':
		d.i++
	case digits() == 0:
		return d.syntax("in numeric literal")
	}
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		if digits() == 0 {
			return d.syntax("after decimal point in numeric literal")
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			return d.syntax("in exponent of numeric literal")
		}
	}
	return nil
}

// raw reads a JSON string at d.i (its opening quote) and returns its value,
// valid until the next call: a piece of the line when the string has no
// escapes, else the decoder's scratch buffer. Invalid UTF-8 becomes
// U+FFFD, byte by byte, as encoding/json does.
func (d *jsonDecoder) raw() ([]byte, error) {
	d.i++ // the opening quote
	start := d.i
	j := d.i
	for j < len(d.b) && d.b[j] != '"' && d.b[j] != '\\' && d.b[j] >= 0x20 {
		j++
	}
	if j < len(d.b) && d.b[j] == '"' && utf8.Valid(d.b[start:j]) {
		d.i = j + 1
		return d.b[start:j], nil
	}
	// Escapes, control characters or invalid UTF-8: copy plain runs whole.
	if cap(d.scratch) < len(d.b)-start {
		d.scratch = make([]byte, 0, len(d.b)-start)
	}
	out := append(d.scratch[:0], d.b[start:j]...)
	if !utf8.Valid(out) {
		out, d.i = out[:0], start
	} else {
		d.i = j
	}
	for {
		k := d.i
		for k < len(d.b) && d.b[k] != '"' && d.b[k] != '\\' && d.b[k] >= 0x20 && d.b[k] < utf8.RuneSelf {
			k++
		}
		out = append(out, d.b[d.i:k]...)
		d.i = k
		if d.i >= len(d.b) {
			return nil, d.syntax("in string literal")
		}
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			d.scratch = out
			return out, nil
		case c < 0x20:
			return nil, d.syntax("in string literal")
		case c == '\\':
			if d.i+1 >= len(d.b) {
				return nil, d.syntax("in string literal")
			}
			e := d.b[d.i+1]
			d.i += 2
			switch e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := d.hex4()
				if !ok {
					return nil, d.syntax("in \\u hexadecimal character escape")
				}
				if utf16.IsSurrogate(r) {
					// A high surrogate takes the low one that follows, if any.
					if d.i+1 < len(d.b) && d.b[d.i] == '\\' && d.b[d.i+1] == 'u' {
						save := d.i
						d.i += 2
						r2, ok := d.hex4()
						if !ok {
							return nil, d.syntax("in \\u hexadecimal character escape")
						}
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							out = utf8.AppendRune(out, dec)
							continue
						}
						d.i = save
					}
					r = utf8.RuneError
				}
				out = utf8.AppendRune(out, r)
			default:
				d.i-- // point at the escaped character
				return nil, d.syntax("in string escape code")
			}
		default: // not ASCII
			r, size := utf8.DecodeRune(d.b[d.i:])
			if r == utf8.RuneError && size == 1 {
				out = utf8.AppendRune(out, utf8.RuneError)
			} else {
				out = append(out, d.b[d.i:d.i+size]...)
			}
			d.i += size
		}
	}
}

func (d *jsonDecoder) hex4() (rune, bool) {
	if d.i+4 > len(d.b) {
		return 0, false
	}
	var r rune
	for _, c := range d.b[d.i : d.i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r*16 + rune(c)
	}
	d.i += 4
	return r, true
}
