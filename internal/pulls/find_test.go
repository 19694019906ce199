package pulls

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFindOpenOnlyReads(t *testing.T) {
	tests := []struct {
		name string
		prs  []*fakePR
		want *Outcome
	}{
		{"open pull request for the branch", []*fakePR{ownPR(7, testBranch)},
			&Outcome{Number: 7, URL: "https://github.com/hashbot-nix/authentik-nix/pull/7"}},
		{"none for the branch", []*fakePR{ownPR(3, "hashbot/authentik-2026.2.1")}, nil},
		{"closed one does not count", []*fakePR{{Number: 4, State: "closed", HeadRef: testBranch, HeadRepo: testOwner + "/" + testRepo}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, c := newFakeGitHub(t, tt.prs...)
			m := newTestManager(t, c, func(o *Options) { o.Base = "main" })
			got, err := m.FindOpen(t.Context(), testBranch)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if w := f.writes(); len(w) != 0 {
				t.Errorf("FindOpen wrote: %+v", w)
			}
		})
	}
}
