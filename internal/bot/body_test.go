package bot

import (
	"strings"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/fod"
	"github.com/hashbot-nix/hashbot/internal/pulls"
)

// TestVerifySentenceRendersAsWritten: the body renders the verification
// sentence as text (its FOD names are hostile, so it is escaped), so the
// sentence must need no Markdown: a code span in it came out as literal
// backslashed backticks in the real series' pull request.
func TestVerifySentenceRendersAsWritten(t *testing.T) {
	tests := []struct {
		name    string
		results []fod.TargetResult
		want    string
	}{
		{"every hash reproduced", []fod.TargetResult{{FOD: "python-deps", System: "x86_64-linux", Status: fod.StatusChanged}},
			"- Verified: Every new hash was rebuilt with nix-build --check and reproduced.\n"},
		{"one did not", []fod.TargetResult{{FOD: "src", System: "x86_64-linux", Status: fod.StatusUnreproducible}},
			"- Verified: Not reproducible with nix-build --check: src (all systems).\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := pulls.RenderBody(pulls.BodyData{Verify: verifySentence(&fod.Report{Results: tt.results})})
			if !strings.Contains(body, tt.want) {
				t.Errorf("body lacks %q:\n%s", tt.want, body)
			}
		})
	}
}
