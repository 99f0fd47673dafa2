package mbrl

import (
	"testing"
	"time"
)

// BenchmarkPlannerPETSReacher times the default pets-reacher planner:
// ensemble throughput over the planner batch and one MPC control step.
func BenchmarkPlannerPETSReacher(b *testing.B) {
	cfg := benchConfig()
	for b.Loop() {
		pt, err := MeasurePlanner(cfg, 200*time.Millisecond)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(pt.ModelStepsPerS, "model-steps/s")
		b.ReportMetric(pt.GFLOPS, "GFLOP/s")
		b.ReportMetric(pt.MPCStepMs, "ms/control-step")
		b.ReportMetric(pt.MPCStepCPUMs, "cpu-ms/control-step")
	}
}
