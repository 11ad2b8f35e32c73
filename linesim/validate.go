package linesim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
)

// decodeStrict decodes body into dst, one of the SDK's request types, and
// returns every way the body breaks the SDK's shape or LINE's limits.
//
// json.Decoder.DisallowUnknownFields is useless here: the SDK's types have
// custom UnmarshalJSON methods (a map of raw fields, then a switch on the
// "type" discriminator) that silently drop whatever they do not know. So
// the raw JSON is walked next to the decoded value, and each object key must
// name a field of the Go struct it was decoded into. The same walk visits
// every decoded node, which is where LINE's limits are checked.
func decodeStrict(body []byte, dst any) []errorDetail {
	if err := json.Unmarshal(body, dst); err != nil {
		// The SDK's error text can quote the body; keep only what helps.
		return []errorDetail{{Message: "The request body could not be parsed as " + typeName(dst) + ": " + firstLine(err.Error())}}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return []errorDetail{{Message: "The request body is not valid JSON"}}
	}
	var errs []errorDetail
	walk(raw, reflect.ValueOf(dst), "", &errs)
	return errs
}

// walk checks raw (from encoding/json into any) against v, the SDK value it
// was decoded into, recording unknown fields and limit violations.
func walk(raw any, v reflect.Value, path string, errs *[]errorDetail) {
	for v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	switch raw := raw.(type) {
	case map[string]any:
		switch v.Kind() {
		case reflect.Struct:
			if isUnknownSDKType(v.Type()) {
				*errs = append(*errs, errorDetail{Message: fmt.Sprintf("unknown type %v", raw["type"]), Property: join(path, "type")})
				return
			}
			fields := jsonFields(v.Type())
			for _, k := range sortedKeys(raw) {
				idx, ok := fields[k]
				if !ok {
					*errs = append(*errs, errorDetail{Message: "unknown field", Property: join(path, k)})
					continue
				}
				walk(raw[k], v.FieldByIndex(idx), join(path, k), errs)
			}
			*errs = append(*errs, checkLimits(path, v.Interface())...)
		case reflect.Map:
			for _, k := range sortedKeys(raw) {
				if mv := v.MapIndex(reflect.ValueOf(k)); mv.IsValid() {
					walk(raw[k], mv, join(path, k), errs)
				}
			}
		}
	case []any:
		if v.Kind() == reflect.Slice || v.Kind() == reflect.Array {
			for i := 0; i < len(raw) && i < v.Len(); i++ {
				walk(raw[i], v.Index(i), fmt.Sprintf("%s[%d]", path, i), errs)
			}
		}
	}
}

var sdkPackage = reflect.TypeFor[messaging_api.Message]().PkgPath()

// isUnknownSDKType spots UnknownMessage, UnknownAction and friends: the SDK
// decodes an unrecognised "type" into them instead of failing.
func isUnknownSDKType(t reflect.Type) bool {
	return t.PkgPath() == sdkPackage && strings.HasPrefix(t.Name(), "Unknown")
}

var fieldCache sync.Map // reflect.Type -> map[string][]int

// jsonFields maps each JSON name of struct type t to its field index,
// following encoding/json: embedded structs are flattened and a shallower
// field hides a deeper one of the same name (the SDK's TextMessage embeds
// Message and redeclares quickReply and sender).
func jsonFields(t reflect.Type) map[string][]int {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string][]int)
	}
	fields := map[string][]int{}
	var embedded []reflect.StructField
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			embedded = append(embedded, f)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = f.Index
	}
	for _, e := range embedded {
		for name, idx := range jsonFields(e.Type) {
			if _, ok := fields[name]; !ok {
				fields[name] = append([]int{e.Index[0]}, idx...)
			}
		}
	}
	fieldCache.Store(t, fields)
	return fields
}

// checkLimits enforces limits LINE documents for the node at path; the
// OpenAPI spec states few of them.
func checkLimits(path string, node any) []errorDetail {
	var c checker
	switch n := node.(type) {
	case messaging_api.ReplyMessageRequest:
		c.require(n.ReplyToken != "", path, "replyToken", "must be specified")
		c.count(path, "messages", len(n.Messages), 1, 5)
	case messaging_api.PushMessageRequest:
		c.require(n.To != "", path, "to", "must be specified")
		c.count(path, "messages", len(n.Messages), 1, 5)
	case messaging_api.TextMessage:
		c.length(path, "text", n.Text, 1, 5000)
	case messaging_api.TextMessageV2:
		c.length(path, "text", n.Text, 1, 5000)
	case messaging_api.TemplateMessage:
		c.length(path, "altText", n.AltText, 1, 400)
		c.require(n.Template != nil, path, "template", "must be specified")
	case messaging_api.FlexMessage:
		c.length(path, "altText", n.AltText, 1, 400)
		c.require(n.Contents != nil, path, "contents", "must be specified")
	case messaging_api.ButtonsTemplate:
		c.count(path, "actions", len(n.Actions), 1, 4)
		c.length(path, "title", n.Title, 0, 40)
		if n.Title != "" || n.ThumbnailImageUrl != "" {
			c.length(path, "text", n.Text, 1, 60)
		} else {
			c.length(path, "text", n.Text, 1, 160)
		}
	case messaging_api.ConfirmTemplate:
		c.count(path, "actions", len(n.Actions), 2, 2)
		c.length(path, "text", n.Text, 1, 240)
	case messaging_api.CarouselTemplate:
		c.count(path, "columns", len(n.Columns), 1, 10)
	case messaging_api.CarouselColumn:
		c.count(path, "actions", len(n.Actions), 1, 3)
		c.length(path, "title", n.Title, 0, 40)
		if n.Title != "" || n.ThumbnailImageUrl != "" {
			c.length(path, "text", n.Text, 1, 60)
		} else {
			c.length(path, "text", n.Text, 1, 120)
		}
	case messaging_api.QuickReply:
		c.count(path, "items", len(n.Items), 1, 13)
	case messaging_api.QuickReplyItem:
		c.require(n.Type == "" || n.Type == "action", path, "type", "must be \"action\"")
		c.require(n.Action != nil, path, "action", "must be specified")
		if n.Action != nil {
			// A quick reply button shows its label, so it must have one.
			c.length(join(path, "action"), "label", actionLabel(n.Action), 1, 20)
		}
	case messaging_api.PostbackAction:
		c.length(path, "label", n.Label, 0, 20)
		c.length(path, "data", n.Data, 1, 300)
		c.length(path, "displayText", n.DisplayText, 0, 300)
		c.length(path, "text", n.Text, 0, 300)
		c.require(n.DisplayText == "" || n.Text == "", path, "text", "cannot be used with displayText")
	case messaging_api.MessageAction:
		c.length(path, "label", n.Label, 0, 20)
		c.length(path, "text", n.Text, 1, 300)
	case messaging_api.UriAction:
		c.length(path, "label", n.Label, 0, 20)
		c.length(path, "uri", n.Uri, 1, 1000)
	case messaging_api.DatetimePickerAction:
		c.length(path, "label", n.Label, 0, 20)
		c.length(path, "data", n.Data, 1, 300)
		c.datetimePicker(path, n)
	case messaging_api.CameraAction:
		c.length(path, "label", n.Label, 0, 20)
	case messaging_api.CameraRollAction:
		c.length(path, "label", n.Label, 0, 20)
	case messaging_api.LocationAction:
		c.length(path, "label", n.Label, 0, 20)
	case messaging_api.RichMenuRequest:
		c.richMenu(path, n)
	case messaging_api.RichMenuArea:
		c.require(n.Bounds != nil, path, "bounds", "must be specified")
		c.require(n.Action != nil, path, "action", "must be specified")
	}
	return c.errs
}

// checker collects limit violations in LINE's error-detail form.
type checker struct{ errs []errorDetail }

func (c *checker) require(ok bool, path, field, msg string) {
	if !ok {
		c.errs = append(c.errs, errorDetail{Message: msg, Property: join(path, field)})
	}
}

// length checks a string's length in characters (runes): LINE's limits
// are in characters, and a Japanese label of 20 characters is 60 bytes.
func (c *checker) length(path, field, s string, lo, hi int) {
	if n := utf8.RuneCountInString(s); n < lo || n > hi {
		c.errs = append(c.errs, errorDetail{Message: fmt.Sprintf("Length must be between %d and %d", lo, hi), Property: join(path, field)})
	}
}

func (c *checker) count(path, field string, n, lo, hi int) {
	if n < lo || n > hi {
		c.errs = append(c.errs, errorDetail{Message: fmt.Sprintf("Size must be between %d and %d", lo, hi), Property: join(path, field)})
	}
}

// pickerLayouts are the value formats of a datetimepicker, by mode. LINE
// accepts a lower-case "t" in datetime values as well.
var pickerLayouts = map[messaging_api.DatetimePickerActionMODE][]string{
	messaging_api.DatetimePickerActionMODE_DATE:     {"2006-01-02"},
	messaging_api.DatetimePickerActionMODE_TIME:     {"15:04"},
	messaging_api.DatetimePickerActionMODE_DATETIME: {"2006-01-02T15:04", "2006-01-02t15:04"},
}

func (c *checker) datetimePicker(path string, a messaging_api.DatetimePickerAction) {
	layouts, ok := pickerLayouts[a.Mode]
	if !ok {
		c.errs = append(c.errs, errorDetail{Message: "must be one of date, time, datetime", Property: join(path, "mode")})
		return
	}
	parse := func(field, v string) (time.Time, bool) {
		for _, l := range layouts {
			if t, err := time.Parse(l, v); err == nil {
				return t, true
			}
		}
		c.errs = append(c.errs, errorDetail{Message: fmt.Sprintf("invalid format for mode %s", a.Mode), Property: join(path, field)})
		return time.Time{}, false
	}
	var vals [3]time.Time // min, initial, max
	var set [3]bool
	for i, f := range []struct{ name, v string }{{"min", a.Min}, {"initial", a.Initial}, {"max", a.Max}} {
		if f.v != "" {
			vals[i], set[i] = parse(f.name, f.v)
		}
	}
	order := func(i, j int, field, msg string) {
		if set[i] && set[j] && vals[i].After(vals[j]) {
			c.errs = append(c.errs, errorDetail{Message: msg, Property: join(path, field)})
		}
	}
	order(0, 2, "max", "must not be before min")
	order(0, 1, "initial", "must not be before min")
	order(1, 2, "initial", "must not be after max")
}

func (c *checker) richMenu(path string, m messaging_api.RichMenuRequest) {
	c.length(path, "name", m.Name, 1, 300)
	c.length(path, "chatBarText", m.ChatBarText, 1, 14)
	c.count(path, "areas", len(m.Areas), 1, 20)
	if m.Size == nil {
		c.require(false, path, "size", "must be specified")
		return
	}
	w, h := m.Size.Width, m.Size.Height
	c.require(w >= 800 && w <= 2500, path, "size.width", "must be between 800 and 2500")
	c.require(h >= 250, path, "size.height", "must be at least 250")
	c.require(h > 0 && float64(w)/float64(h) >= 1.45, path, "size", "width/height must be at least 1.45")
	for i, a := range m.Areas {
		if b := a.Bounds; b != nil {
			inside := b.X >= 0 && b.Y >= 0 && b.Width > 0 && b.Height > 0 && b.X+b.Width <= w && b.Y+b.Height <= h
			c.require(inside, fmt.Sprintf("%s[%d]", join(path, "areas"), i), "bounds", "must lie inside the rich menu")
		}
	}
}

// actionLabel reads the label of any action; the concrete types redeclare
// Label, hiding the embedded Action's.
func actionLabel(a messaging_api.ActionInterface) string {
	v := reflect.ValueOf(a)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return ""
	}
	if f := v.FieldByName("Label"); f.IsValid() && f.Kind() == reflect.String {
		return f.String()
	}
	return ""
}

func join(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func typeName(v any) string {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
