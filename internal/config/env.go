package config

import (
	"fmt"
	"strconv"
	"strings"
)

// envKeys are the settings a HASHBOT_* environment variable may override,
// between hashbot.toml and command-line flags in precedence.
var envKeys = map[string]func(c *Config, v string) error{
	"HASHBOT_ENTRY":         func(c *Config, v string) error { c.Entry = v; return nil },
	"HASHBOT_PINS":          func(c *Config, v string) error { c.Pins = v; return nil },
	"HASHBOT_UPSTREAM_REPO": func(c *Config, v string) error { c.Upstream.Repo = v; return nil },
	"HASHBOT_TAG_PREFIX":    func(c *Config, v string) error { c.Upstream.TagPrefix = v; return nil },
	"HASHBOT_GIT_AUTHOR":    func(c *Config, v string) error { c.Git.Author = v; return nil },
	"HASHBOT_BRANCH_PREFIX": func(c *Config, v string) error { c.Git.BranchPrefix = v; return nil },
	"HASHBOT_PR_REPO":       func(c *Config, v string) error { c.PullRequest.Repo = v; return nil },
	"HASHBOT_PR_BASE":       func(c *Config, v string) error { c.PullRequest.Base = v; return nil },
	"HASHBOT_PR_LABELS": func(c *Config, v string) error {
		c.PullRequest.Labels = nil
		for _, l := range strings.Split(v, ",") {
			if l = strings.TrimSpace(l); l != "" {
				c.PullRequest.Labels = append(c.PullRequest.Labels, l)
			}
		}
		return nil
	},
	"HASHBOT_MAX_JOBS": func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("want a number")
		}
		c.Build.MaxJobs = n
		return nil
	},
}

// applyEnv overrides settings from HASHBOT_* variables found by lookup;
// Load validates the result.
func (c *Config) applyEnv(lookup func(string) (string, bool)) error {
	for key, apply := range envKeys {
		v, ok := lookup(key)
		if !ok {
			continue
		}
		if err := apply(c, v); err != nil {
			return fmt.Errorf("environment %s=%q: %w", key, v, err)
		}
	}
	return nil
}
