// Package metrics keeps the program's counters and writes them in the
// Prometheus text format for GET /metrics. It is small on purpose: a few
// counters and gauges, with labels, and no personal data in any label.
package metrics

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

// Registry holds every metric of the process.
type Registry struct {
	mu      sync.Mutex
	help    map[string]string
	kind    map[string]string
	values  map[string]map[string]float64 // name -> rendered labels -> value
	gauges  map[string]func() float64
	ordered []string
}

func NewRegistry() *Registry {
	return &Registry{
		help:   map[string]string{},
		kind:   map[string]string{},
		values: map[string]map[string]float64{},
		gauges: map[string]func() float64{},
	}
}

// Counter is a monotonically increasing count, split by label values.
type Counter struct {
	r      *Registry
	name   string
	labels []string
}

// NewCounter declares a counter with the given label names.
func (r *Registry) NewCounter(name, help string, labels ...string) *Counter {
	r.declare(name, help, "counter")
	return &Counter{r: r, name: name, labels: labels}
}

// Inc adds one for the given label values, in the order the labels were declared.
func (c *Counter) Inc(values ...string) { c.Add(1, values...) }

func (c *Counter) Add(n float64, values ...string) {
	key := renderLabels(c.labels, values)
	c.r.mu.Lock()
	defer c.r.mu.Unlock()
	c.r.values[c.name][key] += n
}

// GaugeFunc declares a gauge read when metrics are scraped.
func (r *Registry) GaugeFunc(name, help string, read func() float64) {
	r.declare(name, help, "gauge")
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gauges[name] = read
}

func (r *Registry) declare(name, help, kind string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.kind[name]; ok {
		return
	}
	r.help[name], r.kind[name] = help, kind
	r.values[name] = map[string]float64{}
	r.ordered = append(r.ordered, name)
}

// WriteTo writes every metric in the Prometheus text exposition format.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	r.mu.Lock()
	var b strings.Builder
	for _, name := range r.ordered {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, r.help[name], name, r.kind[name])
		if read, ok := r.gauges[name]; ok {
			r.mu.Unlock()
			v := read()
			r.mu.Lock()
			fmt.Fprintf(&b, "%s %g\n", name, v)
			continue
		}
		keys := make([]string, 0, len(r.values[name]))
		for k := range r.values[name] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "%s%s %g\n", name, k, r.values[name][k])
		}
	}
	r.mu.Unlock()
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

func renderLabels(names, values []string) string {
	if len(names) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		v := ""
		if i < len(values) {
			v = values[i]
		}
		v = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(v)
		fmt.Fprintf(&b, `%s="%s"`, n, v)
	}
	b.WriteByte('}')
	return b.String()
}
