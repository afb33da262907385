package metrics

import (
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/amysql/amysql/actor"
	"github.com/prometheus/client_golang/prometheus"
)

// modulePath is amysql's module.
const modulePath = "github.com/amysql/amysql"

// NewBuildInfoCollector returns a collector of the gauge
// amysql_build_info{version,goversion} = 1: the amysql version the program
// was built with and the Go version. Register it once per registry.
func NewBuildInfoCollector(opts ...Option) prometheus.Collector {
	cc, _ := newConfig(opts) // no pool label here to collide with
	bi, ok := debug.ReadBuildInfo()
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: namespace, Name: "build_info",
		Help:        "Always 1; its labels are the amysql version and the Go version the program was built with.",
		ConstLabels: cc.labelsWith(prometheus.Labels{"version": moduleVersion(bi, ok), "goversion": runtime.Version()}),
	}, func() float64 { return 1 })
}

// moduleVersion is amysql's version in the build: the module version when
// the build records one, else actor.Version.
func moduleVersion(bi *debug.BuildInfo, ok bool) string {
	if ok {
		if bi.Main.Path == modulePath && recorded(bi.Main.Version) {
			return bi.Main.Version
		}
		for _, d := range bi.Deps {
			if d.Path != modulePath {
				continue
			}
			if d.Replace != nil {
				d = d.Replace
			}
			if recorded(d.Version) {
				return d.Version
			}
		}
	}
	return actor.Version
}

// recorded reports whether v is a real module version, not what a
// development build or a replacement by a directory records.
func recorded(v string) bool {
	return v != "" && v != "(devel)" && !strings.HasPrefix(v, "v0.0.0-00010101000000-")
}
