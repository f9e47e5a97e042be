package stages

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/gochalice/gochalice/internal/iam"
	"github.com/gochalice/gochalice/manifest"
)

// ConfigFile is the path of the config file relative to the project
// folder, as Chalice lays it out.
const ConfigFile = ".chalice/config.json"

// chaliceDir is the folder, relative to the project, that holds
// config.json and the policy files it names.
const chaliceDir = ".chalice"

// DefaultStage is the stage Chalice assumes when config.json has no
// "stages" key.
const DefaultStage = "dev"

// docsURL is where Chalice documents config.json.
const docsURL = "https://aws.github.io/chalice/topics/configfile.html"

// Config is a project's .chalice/config.json, loaded and checked. It is
// immutable: every method is safe for concurrent use.
type Config struct {
	appName  string
	top      *layer
	stages   map[string]*layer
	policies map[string]*iam.Policy // by project-relative path
	warnings Diagnostics
	fsys     fs.FS // the project folder, for policy files only options need
}

// Load reads <projectDir>/.chalice/config.json and every policy file it
// names, and checks them all. When anything is wrong it returns a nil
// Config and a Diagnostics error holding every problem found (warnings
// included); a nil error means every stage resolves. Warnings that do not
// stop loading are available from Config.Warnings.
func Load(projectDir string) (*Config, error) {
	return LoadFS(os.DirFS(projectDir))
}

// LoadFS is Load for a project folder given as a file system rooted at the
// project folder (the one that holds .chalice/).
func LoadFS(fsys fs.FS) (*Config, error) {
	data, err := fs.ReadFile(fsys, ConfigFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, Diagnostics{{
			File: ConfigFile, Problem: "no such file", off: -1,
			Fix: "run gochalice in the project folder (the one that holds .chalice/), or create .chalice/config.json with at least {\"version\": \"2.0\", \"app_name\": \"<name>\", \"stages\": {\"dev\": {}}}",
		}}
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", ConfigFile, err)
	}
	l := &loader{fsys: fsys, policies: map[string]*iam.Policy{}, tried: map[string]bool{}}
	c := l.load(data)
	diags := sortDiagnostics(l.diags)
	if diags.HasErrors() {
		return nil, diags
	}
	c.policies = l.policies
	c.warnings = diags
	c.fsys = fsys
	return c, nil
}

// AppName returns app_name.
func (c *Config) AppName() string { return c.appName }

// Stages returns the names of the stages, sorted.
func (c *Config) Stages() []string {
	return slices.Sorted(maps.Keys(c.stages))
}

// Functions returns the names of the functions config.json configures in
// stage (under lambda_functions at the top level or in the stage), sorted,
// with manifest.APIHandlerName first whether or not it is configured. An
// app may have more functions; they resolve to the stage's settings.
func (c *Config) Functions(stage string) []string {
	names := map[string]bool{}
	for n := range c.top.functions {
		names[n] = true
	}
	if st := c.stages[stage]; st != nil {
		for n := range st.functions {
			names[n] = true
		}
	}
	delete(names, manifest.APIHandlerName)
	return append([]string{manifest.APIHandlerName}, slices.Sorted(maps.Keys(names))...)
}

// Warnings returns the problems that did not stop loading, sorted like
// Diagnostics.
func (c *Config) Warnings() Diagnostics { return slices.Clone(c.warnings) }

// CheckFunctions compares config.json with what the app registers: it
// returns a warning for every lambda_functions entry that names no
// function of the app (a typo there silently configures nothing), and for
// an app_name that differs from the app's own name.
func (c *Config) CheckFunctions(m *manifest.Manifest) []Diagnostic {
	var registered []string
	for _, f := range m.Functions {
		registered = append(registered, f.Name)
	}
	slices.Sort(registered)
	var ds Diagnostics
	check := func(l *layer) {
		for name, fl := range l.functions {
			if slices.Contains(registered, name) {
				continue
			}
			fix := "remove the entry, or register the function in the app"
			if len(registered) > 0 {
				fix += " (it registers " + strings.Join(registered, ", ") + ")"
			}
			if s := didYouMean(name, registered); s != "" {
				fix = fmt.Sprintf("did you mean %q?", s)
			}
			ds = append(ds, Diagnostic{
				File: ConfigFile, KeyPath: fl.path, Severity: SeverityWarning, off: fl.off,
				Problem: fmt.Sprintf("the app has no function %q, so these settings apply to nothing", name),
				Fix:     fix,
			})
		}
	}
	check(c.top)
	for _, st := range c.stages {
		check(st)
	}
	if m.AppName != "" && m.AppName != c.appName {
		ds = append(ds, Diagnostic{
			File: ConfigFile, KeyPath: "app_name", Severity: SeverityWarning, off: c.top.off,
			Problem: fmt.Sprintf("is %q but the app calls itself %q", c.appName, m.AppName),
			Fix:     "use the same name in both; gochalice names AWS resources after app_name",
		})
	}
	return sortDiagnostics(ds)
}

// loader holds the state of one Load.
type loader struct {
	fsys     fs.FS
	diags    Diagnostics
	policies map[string]*iam.Policy
	tried    map[string]bool
}

func (l *loader) load(data []byte) *Config {
	data = trimBOM(data)
	d := &decoder{file: ConfigFile}
	c := &Config{top: &layer{level: LevelTop}, stages: map[string]*layer{}}
	root, err := parseTree(data)
	if err != nil {
		var se *syntaxError
		errors.As(err, &se)
		line, col := lineCol(data, se.off)
		l.diags = append(l.diags, Diagnostic{
			File: ConfigFile, Line: line, Column: col, off: se.off,
			Problem: "malformed JSON: " + se.msg,
			Fix:     "config.json must be a single JSON object (no comments or trailing commas)",
		})
		return c
	}
	decodeConfig(d, root, c)
	l.diags = append(l.diags, d.diags...)
	l.checkStages(c)
	for i := range l.diags {
		if dg := &l.diags[i]; dg.File == ConfigFile && dg.off >= 0 && dg.Line == 0 {
			dg.Line, dg.Column = lineCol(data, dg.off)
		}
	}
	return c
}

func trimBOM(data []byte) []byte {
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		return data[3:]
	}
	return data
}

// decodeConfig decodes the top level of config.json into c.
func decodeConfig(d *decoder, root *node, c *Config) {
	c.top.off = root.off
	if !d.object(root, "", `{"version": "2.0", "app_name": "<name>", "stages": {"dev": {}}}`) {
		return
	}
	d.decodeLayer(root, c.top, scopeTop)
	var haveApp, haveVersion, haveStages bool
	for _, m := range root.members {
		switch m.key {
		case "app_name":
			haveApp = true
			if m.val.kind == kindString {
				c.appName = m.val.str
			}
		case "version":
			haveVersion = true
		case "stages":
			haveStages = m.val.kind != kindNull
			decodeStages(d, m, c)
		}
	}
	if !haveApp {
		d.errorf(root.off, "app_name", "is missing", `add "app_name": "<name>"; gochalice names Lambda functions and IAM roles after it`)
	}
	if !haveVersion {
		d.warnf(root.off, "version", "is missing; reading the file as Chalice's version \"2.0\"", `add "version": "2.0"`)
	}
	if !haveStages {
		d.warnf(root.off, "stages", fmt.Sprintf("is missing, so the only stage is Chalice's default %q", DefaultStage), fmt.Sprintf(`add "stages": {%q: {}} to make it explicit`, DefaultStage))
		c.stages[DefaultStage] = &layer{level: LevelStage, path: joinPath("stages", DefaultStage), off: root.off}
	}
}

func decodeStages(d *decoder, m member, c *Config) {
	if m.val.kind == kindNull {
		return // reported by decodeLayer
	}
	if !d.object(m.val, "stages", `{"dev": {}}`) {
		return
	}
	if len(m.val.members) == 0 {
		d.errorf(m.val.off, "stages", "has no stage, so there is nothing to deploy", fmt.Sprintf(`add a stage: "stages": {%q: {}}`, DefaultStage))
	}
	for _, sm := range m.val.members {
		p := joinPath("stages", sm.key)
		if !nameRE.MatchString(sm.key) {
			d.errorf(sm.keyOff, p, fmt.Sprintf("%q is not a valid stage name", sm.key), "use letters, digits, hyphens and underscores: the stage name becomes part of Lambda function and IAM role names")
			continue
		}
		if !d.object(sm.val, p, `{"api_gateway_stage": "api"}`) {
			continue
		}
		st := &layer{level: LevelStage, path: p, off: sm.keyOff}
		d.decodeLayer(sm.val, st, scopeStage)
		if _, dup := c.stages[sm.key]; !dup {
			c.stages[sm.key] = st
		}
	}
}

func (d *decoder) decodeFunctions(m member, parent *layer) {
	p := parent.keyPath("lambda_functions")
	if !d.object(m.val, p, `{"handle_stream": {"lambda_timeout": 120}}`) {
		return
	}
	level := LevelTopFunction
	if parent.level == LevelStage {
		level = LevelStageFunction
	}
	for _, fm := range m.val.members {
		fp := joinPath(p, fm.key)
		if !nameRE.MatchString(fm.key) {
			d.errorf(fm.keyOff, fp, fmt.Sprintf("%q is not a valid function name", fm.key), "function names are the names the app registers: letters, digits, hyphens and underscores")
			continue
		}
		if !d.object(fm.val, fp, `{"lambda_timeout": 120}`) {
			continue
		}
		fl := &layer{level: level, path: fp, off: fm.keyOff}
		d.decodeLayer(fm.val, fl, scopeFunction)
		if parent.functions == nil {
			parent.functions = map[string]*layer{}
		}
		if _, dup := parent.functions[fm.key]; !dup {
			parent.functions[fm.key] = fl
		}
	}
}

// decodeLayer decodes the keys of one level of config.json.
func (d *decoder) decodeLayer(n *node, l *layer, sc scope) {
	specs := keySpecs()
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.name
	}
	for _, m := range n.members {
		p := l.keyPath(m.key)
		i := slices.Index(names, m.key)
		if i < 0 {
			d.unknownKey(m, p, names)
			continue
		}
		spec := specs[i]
		if spec.scope&sc == 0 {
			d.wrongLevel(m, p, spec, l)
			continue
		}
		if m.val.kind == kindNull {
			d.warnf(m.keyOff, p, "is null, which means unset", "remove the key")
			continue
		}
		if spec.python != "" {
			d.warnf(m.keyOff, p, "is ignored: "+spec.python, "remove the key")
		}
		switch spec.name {
		case "stages":
			// decodeConfig decodes it, after the top level.
		case "lambda_functions":
			d.decodeFunctions(m, l)
		default:
			before := len(d.diags.Errors())
			spec.decode(d, l, m.val, p, m.keyOff)
			if l.written == nil {
				l.written = map[string]bool{}
			}
			l.written[m.key] = l.written[m.key] || len(d.diags.Errors()) > before
		}
	}
}

func (d *decoder) unknownKey(m member, p string, names []string) {
	fix := "remove it; see " + docsURL + " for the keys config.json takes"
	switch s := didYouMean(m.key, names); {
	case s != "":
		fix = fmt.Sprintf("did you mean %q?", s)
	case envLikeRE.MatchString(m.key):
		fix = `config.json keys are lower case; to set an environment variable, put it under "environment_variables"`
	}
	d.errorf(m.keyOff, p, "unknown key", fix)
}

func (d *decoder) wrongLevel(m member, p string, spec keySpec, l *layer) {
	switch {
	case spec.scope == scopeTop:
		where := "per stage"
		if l.level == LevelTopFunction || l.level == LevelStageFunction {
			where = "per function"
		}
		d.errorf(m.keyOff, p, "is a top-level key; it cannot be set "+where, "move it to the top level of config.json")
	case spec.name == "lambda_functions":
		d.errorf(m.keyOff, p, "cannot be nested inside a function", "move the entries up into the enclosing lambda_functions")
	default:
		to := "the top level or to stages.<stage>"
		if l.level == LevelStageFunction {
			to = strings.Join(strings.Split(l.path, ".")[:2], ".")
		}
		d.errorf(m.keyOff, p, "applies to a whole stage, not to one function", "move it to "+to)
	}
}

// chaliceFile returns the project-relative path of a file named in
// config.json, which Chalice reads relative to .chalice/.
func chaliceFile(name string) (string, error) {
	if name == "" {
		return "", errors.New("is empty")
	}
	if strings.Contains(name, `\`) {
		return "", errors.New(`contains "\"; use "/" between folders`)
	}
	if path.IsAbs(name) {
		return "", errors.New("is an absolute path")
	}
	clean := path.Clean(name)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", errors.New("is outside .chalice/")
	}
	full := chaliceDir + "/" + clean
	if !fs.ValidPath(full) {
		return "", errors.New("is not a valid file name")
	}
	return full, nil
}
