package linesim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// specRelPath is where the project keeps LINE's spec: ../shared/line-openapi
// from the repository root in CI, /work/shared/line-openapi in development.
const specRelPath = "shared/line-openapi/messaging-api.yml"

// specCache shares one parsed spec per file among all Sims: parsing 6000
// lines of YAML for each test would cost more than the test. The parsed
// document is only read after loading, so sharing it is safe.
var specCache sync.Map // absolute path -> *specEntry

type specEntry struct {
	once sync.Once
	doc  *openapi3.T
	err  error
}

// loadSpec loads the spec at path, or, when path is "", the first
// shared/line-openapi/messaging-api.yml found walking up from the working
// directory. It returns nil, nil when no spec is found by search.
func loadSpec(path string) (*openapi3.T, error) {
	if path == "" {
		path = findSpec()
		if path == "" {
			return nil, nil
		}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("locate OpenAPI spec %s: %w", path, err)
	}
	e, _ := specCache.LoadOrStore(abs, &specEntry{})
	entry := e.(*specEntry)
	entry.once.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromFile(abs)
		if err != nil {
			entry.err = fmt.Errorf("load OpenAPI spec %s: %w", abs, err)
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			entry.err = fmt.Errorf("check OpenAPI spec %s: %w", abs, err)
			return
		}
		entry.doc = doc
	})
	return entry.doc, entry.err
}

func findSpec() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		p := filepath.Join(dir, specRelPath)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// validateSpec checks a JSON request against the operation pattern names in
// the spec. It returns nil when no spec is loaded.
//
// The route is built by hand rather than found with kin-openapi's routers:
// the spec's servers are https://api.line.me and https://api-data.line.me,
// which a router would match against the httptest host, and the handler
// already knows which operation it serves.
func (s *Sim) validateSpec(r *http.Request, pattern string, pathParams map[string]string, body []byte) []errorDetail {
	if s.spec == nil {
		return nil
	}
	pathItem := s.spec.Paths.Value(pattern)
	if pathItem == nil || pathItem.GetOperation(r.Method) == nil {
		return []errorDetail{{Message: fmt.Sprintf("spec: no operation %s %s", r.Method, pattern)}}
	}
	op := pathItem.GetOperation(r.Method)

	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		return []errorDetail{{Message: "spec: the request body is not valid JSON"}}
	}
	// The SDK marshals unset fields without omitempty as null (a push
	// carries "customAggregationUnits": null), which LINE treats as absent
	// but the spec, lacking "nullable", would refuse.
	value = stripNulls(value)
	clean, err := json.Marshal(value)
	if err != nil {
		return []errorDetail{{Message: "spec: " + err.Error()}}
	}

	req := r.Clone(r.Context())
	req.Body = io.NopCloser(bytes.NewReader(clean))
	req.ContentLength = int64(len(clean))
	input := &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: pathParams,
		Route:      &routers.Route{Spec: s.spec, Path: pattern, PathItem: pathItem, Method: r.Method, Operation: op},
		Options: &openapi3filter.Options{
			// The sim checks the bearer token itself.
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
			MultiError:         true,
		},
	}
	var errs []errorDetail
	if err := openapi3filter.ValidateRequest(r.Context(), input); err != nil {
		errs = append(errs, specDetails(err, "")...)
	}

	// kin-openapi validates a $ref to Message against Message alone: it
	// follows a discriminator only under oneOf/anyOf, and the spec models
	// inheritance as TextMessage allOf [Message, ...]. So a text message
	// without "text" would pass. Walk the body and validate each polymorphic
	// node against the concrete schema its discriminator maps to.
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
			s.walkSchema(mt.Schema, value, "", &errs)
		}
	}
	return errs
}

// walkSchema descends value along schema, validating every object whose
// schema has a discriminator against the mapped concrete schema, and
// refusing properties the spec does not define.
func (s *Sim) walkSchema(ref *openapi3.SchemaRef, value any, path string, errs *[]errorDetail) {
	if ref == nil || ref.Value == nil {
		return
	}
	schema := ref.Value
	switch v := value.(type) {
	case map[string]any:
		if d := schema.Discriminator; d != nil && len(d.Mapping) > 0 {
			kind, _ := v[d.PropertyName].(string)
			target, ok := d.Mapping[kind]
			if !ok {
				*errs = append(*errs, errorDetail{Message: fmt.Sprintf("spec: unknown %s %q", d.PropertyName, kind), Property: join(path, d.PropertyName)})
				return
			}
			concrete := s.componentSchema(target.Ref)
			if concrete == nil {
				*errs = append(*errs, errorDetail{Message: "spec: cannot resolve " + target.Ref, Property: path})
				return
			}
			if concrete != schema {
				if err := concrete.VisitJSON(value, openapi3.MultiErrors()); err != nil {
					*errs = append(*errs, specDetails(err, path)...)
				}
				schema = concrete
			}
		}
		props, open := properties(schema)
		for _, k := range sortedKeys(v) {
			if p, ok := props[k]; ok {
				s.walkSchema(p, v[k], join(path, k), errs)
				continue
			}
			if ap := schema.AdditionalProperties.Schema; ap != nil {
				s.walkSchema(ap, v[k], join(path, k), errs)
				continue
			}
			if len(props) > 0 && !open {
				*errs = append(*errs, errorDetail{Message: "spec: unknown field", Property: join(path, k)})
			}
		}
	case []any:
		if schema.Items != nil {
			for i, item := range v {
				s.walkSchema(schema.Items, item, fmt.Sprintf("%s[%d]", path, i), errs)
			}
		}
	}
}

// properties collects an object schema's properties, through allOf. open
// reports an explicit additionalProperties: true; the spec never sets it,
// and LINE refuses unknown fields, so properties not listed are refused.
func properties(schema *openapi3.Schema) (map[string]*openapi3.SchemaRef, bool) {
	props := map[string]*openapi3.SchemaRef{}
	open := schema.AdditionalProperties.Has != nil && *schema.AdditionalProperties.Has
	for k, p := range schema.Properties {
		props[k] = p
	}
	for _, sub := range schema.AllOf {
		if sub.Value == nil {
			continue
		}
		subProps, subOpen := properties(sub.Value)
		open = open || subOpen
		for k, p := range subProps {
			if _, ok := props[k]; !ok {
				props[k] = p
			}
		}
	}
	return props, open
}

func (s *Sim) componentSchema(ref string) *openapi3.Schema {
	name, ok := strings.CutPrefix(ref, "#/components/schemas/")
	if !ok || s.spec.Components == nil {
		return nil
	}
	if sr := s.spec.Components.Schemas[name]; sr != nil {
		return sr.Value
	}
	return nil
}

// specDetails turns kin-openapi's errors into LINE-style details, with the
// property written the way LINE writes it (messages[0].text).
func specDetails(err error, base string) []errorDetail {
	var multi openapi3.MultiError
	if errors.As(err, &multi) {
		var out []errorDetail
		for _, e := range multi {
			out = append(out, specDetails(e, base)...)
		}
		return out
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		p := base
		for _, part := range se.JSONPointer() {
			if _, err := strconv.Atoi(part); err == nil {
				p += "[" + part + "]"
			} else {
				p = join(p, part)
			}
		}
		return []errorDetail{{Message: "spec: " + se.Reason, Property: p}}
	}
	var re *openapi3filter.RequestError
	if errors.As(err, &re) && re.Err != nil && re.Err != err {
		return specDetails(re.Err, base)
	}
	return []errorDetail{{Message: "spec: " + firstLine(err.Error()), Property: base}}
}

// stripNulls removes null-valued object members, recursively.
func stripNulls(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if e == nil {
				delete(v, k)
				continue
			}
			v[k] = stripNulls(e)
		}
	case []any:
		for i, e := range v {
			v[i] = stripNulls(e)
		}
	}
	return v
}
