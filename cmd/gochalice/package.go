package main

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"
	"sigs.k8s.io/yaml"

	"github.com/gochalice/gochalice/internal/deployer"
)

func packageCommandWith(env *awsEnv) *cli.Command {
	return &cli.Command{
		Name:      "package",
		Usage:     "write a SAM (CloudFormation) template or a Terraform configuration, and the deployment zip, for a stage",
		ArgsUsage: "OUTDIR",
		Description: "package builds the app and writes to OUTDIR what deploy would create, as a template that\n" +
			"CloudFormation or Terraform deploys: sam.json (--pkg-format cloudformation, the default) or\n" +
			"chalice.tf.json (--pkg-format terraform), and deployment.zip beside it. Both come from the\n" +
			"desired state deploy plans: the same roles and policies, functions, stream mappings, REST API\n" +
			"and permission, with the same names. ARNs use the stack's partition, region and account;\n" +
			"a stream named by its table is a parameter (CloudFormation) or variable (Terraform).\n" +
			"--merge-template FILE merges a JSON fragment into the template, as chalice package does:\n" +
			"objects merge key by key, other values replace, null removes.\n" +
			"No AWS account is needed.",
		Flags: []cli.Flag{
			projectDirFlag(),
			&cli.StringFlag{Name: "stage", Value: "dev", Usage: "the stage to package"},
			&cli.StringFlag{Name: "pkg-format", Value: deployer.FormatCloudFormation, Usage: "cloudformation (a SAM template) or terraform"},
			&cli.StringFlag{Name: "merge-template", Usage: "a JSON `FILE` to merge into the template"},
			&cli.StringFlag{Name: "template-format", Value: "json", Usage: "json or yaml (CloudFormation only): the SAM template's format"},
			&cli.BoolFlag{Name: "single-file", Usage: "write one zip file, OUT, holding the template and deployment.zip, instead of a folder"},
			allowUnscopedFlag(),
		},
		Action: func(c *cli.Context) error {
			ctx := c.Context
			if c.NArg() != 1 {
				return usagef(c, "package takes one argument, the folder to write to (gochalice package --stage %s out/); got %d", c.String("stage"), c.NArg())
			}
			outDir := c.Args().First()
			dir, stage, format := c.String("project-dir"), c.String("stage"), c.String("pkg-format")
			if format != deployer.FormatCloudFormation && format != deployer.FormatTerraform {
				return usagef(c, "--pkg-format %q: use %s or %s", format, deployer.FormatCloudFormation, deployer.FormatTerraform)
			}
			yamlTemplate := false
			switch tf := c.String("template-format"); tf {
			case "json":
			case "yaml":
				if format != deployer.FormatCloudFormation {
					return usagef(c, "--template-format yaml is for --pkg-format %s; a Terraform configuration is JSON", deployer.FormatCloudFormation)
				}
				yamlTemplate = true
			default:
				return usagef(c, "--template-format %q: use json or yaml", tf)
			}
			var fragment []byte
			mergeFile := c.String("merge-template")
			if mergeFile != "" {
				var err error
				if fragment, err = os.ReadFile(mergeFile); err != nil {
					return fmt.Errorf("--merge-template: %w", err)
				}
			}
			out, errw := c.App.Writer, c.App.ErrWriter

			p, cleanup, err := env.load(c, dir, stage, errw)
			if err != nil {
				return err
			}
			defer cleanup()
			// The same policy source as deploy, with the template's
			// placeholders for the partition, region and account.
			policies, err := codePolicies(ctx, p, deployer.TemplateTarget, errw, c.Bool(allowUnscoped))
			if err != nil {
				return err
			}
			pk, err := deployer.NewPackage(ctx, p, policies)
			if err != nil {
				return err
			}
			for _, w := range pk.Warnings {
				fmt.Fprintf(errw, "warning: %s\n", w)
			}
			tpl, err := pk.Template(format)
			if err != nil {
				return err
			}
			if fragment != nil {
				if tpl, err = deployer.MergeTemplate(tpl, fragment, mergeFile); err != nil {
					return err
				}
			}
			data, err := deployer.MarshalTemplate(tpl)
			if err != nil {
				return err
			}
			templateFile := deployer.TemplateFile(format)
			if yamlTemplate {
				// The JSON's intrinsic functions stay in their long form
				// ("Fn::GetAtt"), which CloudFormation reads in YAML too.
				if data, err = yaml.JSONToYAML(data); err != nil {
					return fmt.Errorf("convert the template to YAML: %w", err)
				}
				templateFile = strings.TrimSuffix(templateFile, ".json") + ".yaml"
			}
			if c.Bool("single-file") {
				if err := writeSingleFile(outDir, templateFile, data, p.Code.Zip); err != nil {
					return err
				}
				fmt.Fprintf(out, "Wrote %s (%s and %s).\n\nUnzip it, then:\n", outDir, templateFile, deployer.DeploymentZipFile)
				writePackageNextSteps(out, format, ".", templateFile, pk)
				return nil
			}
			if err := os.MkdirAll(outDir, 0o755); err != nil {
				return err
			}
			templatePath := filepath.Join(outDir, templateFile)
			zipPath := filepath.Join(outDir, deployer.DeploymentZipFile)
			if err := os.WriteFile(templatePath, data, 0o644); err != nil {
				return err
			}
			if err := os.WriteFile(zipPath, p.Code.Zip, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(out, "Wrote %s and %s.\n\n", templatePath, zipPath)
			writePackageNextSteps(out, format, outDir, templateFile, pk)
			return nil
		},
	}
}

// writePackageNextSteps says how to deploy what package wrote.
func writePackageNextSteps(w io.Writer, format, outDir, templateFile string, pk *deployer.Package) {
	stack := pk.Desired.App + "-" + pk.Desired.Stage
	if format == deployer.FormatTerraform {
		var vars []string
		for _, p := range pk.Parameters {
			vars = append(vars, fmt.Sprintf(" -var %s=<stream ARN of table %s>", p.Variable, p.Table))
		}
		fmt.Fprintf(w, "Deploy it with Terraform (the region is the AWS provider's, e.g. AWS_REGION):\n\n  cd %s && terraform init && terraform apply%s\n", outDir, strings.Join(vars, ""))
		return
	}
	var params []string
	for _, p := range pk.Parameters {
		params = append(params, fmt.Sprintf("%s=<stream ARN of table %s>", p.Name, p.Table))
	}
	sort.Strings(params)
	overrides := ""
	if len(params) > 0 {
		overrides = " \\\n      --parameter-overrides " + strings.Join(params, " ")
	}
	useJSON, packaged := " --use-json", "packaged.json"
	if strings.HasSuffix(templateFile, ".yaml") {
		useJSON, packaged = "", "packaged.yaml"
	}
	fmt.Fprintf(w, "Deploy it with CloudFormation (the roles are named, hence CAPABILITY_NAMED_IAM):\n\n"+
		"  aws cloudformation package --template-file %s --s3-bucket <bucket>%s --output-template-file %s\n"+
		"  aws cloudformation deploy --template-file %s --stack-name %s \\\n      --capabilities CAPABILITY_NAMED_IAM CAPABILITY_AUTO_EXPAND%s\n",
		filepath.Join(outDir, templateFile), useJSON, filepath.Join(outDir, packaged),
		filepath.Join(outDir, packaged), stack, overrides)
}

// writeSingleFile writes path as one zip file holding the template and
// the deployment package, as chalice package --single-file does.
func writeSingleFile(path, templateFile string, template, deployment []byte) error {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range []struct {
		name string
		data []byte
	}{{templateFile, template}, {deployer.DeploymentZipFile, deployment}} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate})
		if err != nil {
			return err
		}
		if _, err := w.Write(f.data); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
