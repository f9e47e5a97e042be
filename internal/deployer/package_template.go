package deployer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/gochalice/gochalice/internal/build"
)

// Template formats of gochalice package.
const (
	// FormatCloudFormation is a SAM template (sam.json).
	FormatCloudFormation = "cloudformation"
	// FormatTerraform is a Terraform JSON configuration (chalice.tf.json).
	FormatTerraform = "terraform"
)

// The files gochalice package writes, Chalice's names.
const (
	SAMTemplateFile       = "sam.json"
	TerraformTemplateFile = "chalice.tf.json"
	DeploymentZipFile     = build.ZipFile
)

// AddressesMetadataKey is the key, under a CloudFormation resource's
// Metadata, of the desired-state addresses the resource stands for
// ("function:api_handler"); a Terraform block names them in its "//"
// comment. It ties a template to deploy's plan.
const AddressesMetadataKey = "GochaliceAddresses"

// Template builds the package's template in format (FormatCloudFormation
// or FormatTerraform) as a JSON object.
func (pk *Package) Template(format string) (map[string]any, error) {
	switch format {
	case FormatCloudFormation:
		return pk.CloudFormation()
	case FormatTerraform:
		return pk.Terraform()
	}
	return nil, fmt.Errorf("unknown package format %q: use %s or %s", format, FormatCloudFormation, FormatTerraform)
}

// TemplateFile returns the name of the template file of format.
func TemplateFile(format string) string {
	if format == FormatTerraform {
		return TerraformTemplateFile
	}
	return SAMTemplateFile
}

// MarshalTemplate encodes a template as indented JSON with sorted keys,
// deterministically.
func MarshalTemplate(t map[string]any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(t); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// MergeTemplate merges a JSON fragment into a template, as chalice package
// --merge-template does: objects are merged key by key, recursively, and
// any other value of the fragment (a string, a number, an array) replaces
// the template's. A null removes the key (RFC 7396, JSON Merge Patch, of
// which Chalice's merge is the part without null). So a fragment can add
// resources, outputs and parameters, set or override single properties of
// generated resources, and remove some. file names the fragment in errors.
func MergeTemplate(t map[string]any, fragment []byte, file string) (map[string]any, error) {
	patch, err := decodeJSON(fragment)
	if err != nil {
		return nil, fmt.Errorf("%s: %w; --merge-template takes a JSON object (YAML is not supported yet)", file, err)
	}
	obj, ok := patch.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: the fragment is a JSON %s; --merge-template takes a JSON object such as {\"Resources\": {...}}", file, jsonKind(patch))
	}
	// Round-trip the template so every object is a map[string]any that
	// the patch can merge into.
	data, err := json.Marshal(t)
	if err != nil {
		return nil, err
	}
	base, err := decodeJSON(data)
	if err != nil {
		return nil, err
	}
	return mergePatch(base, obj).(map[string]any), nil
}

func mergePatch(target any, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
			continue
		}
		t[k] = mergePatch(t[k], v)
	}
	return t
}

// decodeJSON decodes one JSON value, keeping numbers as json.Number; a
// syntax error says at which line and column.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			line, col := lineCol(data, syn.Offset)
			return nil, fmt.Errorf("invalid JSON at line %d, column %d: %w", line, col, err)
		}
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if dec.More() {
		return nil, errors.New("invalid JSON: more than one value")
	}
	return v, nil
}

func lineCol(data []byte, offset int64) (line, col int) {
	// offset is just past the byte that broke the syntax.
	line, col = 1, 1
	for i := int64(0); i < offset-1 && i < int64(len(data)); i++ {
		if data[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return "object"
}

// placeholders calls f for every "${name}" in s and builds the string f's
// results make; text outside placeholders is passed to lit. An unclosed
// "${" is literal text.
func placeholders(s string, lit func(string) string, f func(name string) string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(lit(s))
			return b.String()
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(lit(s[:i]))
			b.WriteString(f(""))
			b.WriteString(lit(s[i+2:]))
			return b.String()
		}
		b.WriteString(lit(s[:i]))
		b.WriteString(f(s[i+2 : i+j]))
		s = s[i+j+1:]
	}
}

// walkStrings returns v (a decoded JSON value) with every string, not
// object keys, replaced by f's result.
func walkStrings(v any, f func(string) any) any {
	switch x := v.(type) {
	case string:
		return f(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = walkStrings(e, f)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = walkStrings(e, f)
		}
		return out
	}
	return v
}

// anyStrings reports whether f holds for a string in v (keys included).
func anyStrings(v any, f func(string) bool) bool {
	switch x := v.(type) {
	case string:
		return f(x)
	case map[string]any:
		for k, e := range x {
			if f(k) || anyStrings(e, f) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if anyStrings(e, f) {
				return true
			}
		}
	}
	return false
}

// addressFunction returns the app function of an address such as
// "role:handle_stream".
func addressFunction(address string) string {
	_, fn, _ := strings.Cut(address, ":")
	return fn
}
