package vetting

import (
	"bytes"
	"context"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Exception is a policy exception to add.
type Exception struct {
	// Key is sdk, vendor or app; Value the id it names.
	Key, Value    string
	Reason, Owner string
	Expires       string // YYYY-MM-DD or ""
}

// AddException appends an exception to the policy's exceptions list
// (keeping the file's comments) and re-judges every stored package.
func (s *Service) AddException(ctx context.Context, e Exception, actor string) (Change, error) {
	switch e.Key {
	case "sdk", "vendor", "app":
	default:
		return Change{}, fmt.Errorf("%w: exception key %q: want sdk, vendor or app", ErrBadRequest, e.Key)
	}
	if e.Value == "" || e.Reason == "" {
		return Change{}, fmt.Errorf("%w: an exception needs an id and a reason", ErrBadRequest)
	}
	s.settingsMu.Lock()
	defer s.settingsMu.Unlock()
	cur := s.Settings()
	out, err := appendException(cur.PolicyYAML, e)
	if err != nil {
		return Change{}, fmt.Errorf("%w: %v", ErrBadRequest, err)
	}
	return s.apply(ctx, policyChange(out, cur), actor, "policy.exception",
		fmt.Sprintf("exception added for %s %s (reason: %s; expires: %s; was version %d)", e.Key, e.Value, e.Reason, orNone(e.Expires), cur.Version))
}

func orNone(s string) string {
	if s == "" {
		return "never"
	}
	return s
}

func appendException(policyYAML string, e Exception) (string, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(policyYAML), &doc); err != nil {
		return "", fmt.Errorf("policy: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return "", fmt.Errorf("policy: not a mapping")
	}
	root := doc.Content[0]
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "exceptions" {
			list = root.Content[i+1]
		}
	}
	if list == nil {
		list = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "exceptions"}, list)
	}
	if list.Kind != yaml.SequenceNode {
		return "", fmt.Errorf("policy: exceptions is not a list")
	}
	list.Style = 0 // block style, even if it was written []
	item := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	add := func(k, v string) {
		if v != "" {
			item.Content = append(item.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k},
				&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v, Style: yaml.DoubleQuotedStyle})
		}
	}
	add(e.Key, e.Value)
	add("reason", e.Reason)
	add("owner", e.Owner)
	add("expires", e.Expires)
	list.Content = append(list.Content, item)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return "", fmt.Errorf("policy: %w", err)
	}
	return b.String(), nil
}
