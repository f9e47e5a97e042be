package deployer_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/manifest"
)

// withoutS3 is the events app without its S3 source, which a SAM
// template cannot hold.
func withoutS3(t *testing.T) *deployer.Project {
	p := eventsProject(t)
	p.Manifest.Functions = slices.DeleteFunc(p.Manifest.Functions, func(f manifest.Function) bool { return f.Kind == manifest.KindS3 })
	return p
}

// TestEventsPackage pins the events app's Terraform configuration (every
// source) and SAM template (every source but S3), checks that they define
// exactly what deploy would create, and that a SAM package with an S3
// source is refused with the way out.
func TestEventsPackage(t *testing.T) {
	t.Parallel()
	cfnEvents := map[deployer.ResourceType][]string{
		deployer.TypeRule:         {"AWS::Events::Rule"},
		deployer.TypeSubscription: {"AWS::SNS::Subscription"},
		deployer.TypeInvokeConfig: {"AWS::Lambda::EventInvokeConfig"},
	}
	tfEvents := map[deployer.ResourceType][]string{
		deployer.TypeRule:               {"aws_cloudwatch_event_rule", "aws_cloudwatch_event_target"},
		deployer.TypeSubscription:       {"aws_sns_topic_subscription"},
		deployer.TypeInvokeConfig:       {"aws_lambda_function_event_invoke_config"},
		deployer.TypeBucketNotification: {"aws_s3_bucket_notification"},
	}
	for _, tc := range []struct {
		name, format, golden string
		p                    *deployer.Project
		list                 func(*testing.T, map[string]any) []templateResource
		types                map[deployer.ResourceType][]string
	}{
		{"sam", deployer.FormatCloudFormation, "events.sam.json", withoutS3(t), cfnResources, cfnEvents},
		{"terraform", deployer.FormatTerraform, "events.tf.json", eventsProject(t), tfResources, tfEvents},
	} {
		t.Run(tc.name, func(t *testing.T) {
			types := map[deployer.ResourceType][]string{}
			for k, v := range cfnTypes {
				types[k] = v
			}
			if tc.format == deployer.FormatTerraform {
				for k, v := range tfTypes {
					types[k] = v
				}
			}
			for k, v := range tc.types {
				types[k] = v
			}
			pk := newPackage(t, tc.p)
			tpl, err := pk.Template(tc.format)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.golden, marshal(t, tpl))

			checkCoversDeploy(t, tc.p, tc.list(t, tpl), types)
		})
	}

	t.Run("sam with s3", func(t *testing.T) {
		pk := newPackage(t, eventsProject(t))
		_, err := pk.CloudFormation()
		if !errors.Is(err, deployer.ErrS3NotificationTemplate) || !strings.Contains(err.Error(), "s3_notification:thumbs") {
			t.Errorf("err = %v, want ErrS3NotificationTemplate naming s3_notification:thumbs", err)
		}
		var warned bool
		for _, w := range pk.Warnings {
			warned = warned || strings.Contains(w, "aws_s3_bucket_notification owns the bucket's whole notification configuration")
		}
		if !warned {
			t.Errorf("warnings = %q, want one about aws_s3_bucket_notification", pk.Warnings)
		}
	})

	t.Run("two functions on one bucket share its block", func(t *testing.T) {
		p := eventsProject(t)
		f := manifest.Function{Name: "originals", Kind: manifest.KindS3, Handler: manifest.Handler{Name: "main.originals"},
			S3: &manifest.S3{Bucket: "uploads", Events: []string{"s3:ObjectCreated:*"}, Prefix: "orig/"}}
		p.Manifest.Functions = append(p.Manifest.Functions, f)
		s := *p.Settings["thumbs"]
		s.LambdaFunctionName = "savealife-dev-originals"
		p.Settings["originals"] = &s
		tpl, err := newPackage(t, p).Terraform()
		if err != nil {
			t.Fatal(err)
		}
		var got []templateResource
		for _, r := range tfResources(t, tpl) {
			if r.Type == "aws_s3_bucket_notification" {
				got = append(got, r)
			}
		}
		want := []templateResource{{Type: "aws_s3_bucket_notification", Name: "uploads", Addresses: []string{"s3_notification:originals", "s3_notification:thumbs"}}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("bucket notifications (-want +got):\n%s", diff)
		}
	})
}

// TestEventsCloudFormationSchema validates the events app's SAM template
// against the published resource schemas.
func TestEventsCloudFormationSchema(t *testing.T) {
	t.Parallel()
	tpl, err := newPackage(t, withoutS3(t)).CloudFormation()
	if err != nil {
		t.Fatal(err)
	}
	got := validateTemplates(t, map[string][]byte{"events.json": marshal(t, tpl)})
	if p := got["events.json"]; len(p) > 0 {
		t.Errorf("the events template breaks the schema:\n%s", strings.Join(p, "\n"))
	}
}
