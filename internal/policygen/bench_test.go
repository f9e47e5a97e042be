package policygen_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gochalice/gochalice/internal/policygen"
	"github.com/gochalice/gochalice/manifest"
)

// BenchmarkGenerateSavealife is gen-policy on the savealife app with a warm
// build cache: both functions, every route.
func BenchmarkGenerateSavealife(b *testing.B) {
	f := loadFixture(b, "testdata/cases/savealife.txtar", b.TempDir())
	benchGenerate(b, f.request(b))
}

// BenchmarkGenerateSynthetic10x is the same on a module with ten times
// savealife's user code: ten packages of its handlers, all routes of one
// API handler. Its time over BenchmarkGenerateSavealife's shows how the
// cost grows with the user's code.
func BenchmarkGenerateSynthetic10x(b *testing.B) {
	dir := b.TempDir()
	f := loadFixture(b, "testdata/cases/savealife.txtar", dir)
	src := string(f.files["main.go"])
	// Turn main.go into package hN: drop main, keep the handlers.
	body := regexp.MustCompile(`(?s)func main\(\) \{.*?\n\}\n`).ReplaceAllString(src, "")
	body = strings.Replace(body, `	"example.com/x/app"`+"\n", "", 1)
	body = strings.Replace(body, `"github.com/aws/aws-sdk-go-v2/config"`+"\n", "", 1)
	m := &manifest.Manifest{SchemaVersion: manifest.SchemaVersion, AppName: "synthetic"}
	var imports, uses strings.Builder
	for i := range 10 {
		pkg := fmt.Sprintf("h%d", i)
		code := strings.Replace(body, "package main", "package "+pkg, 1) +
			"\nvar Handlers = []any{getDonor, createDonor, listDonors, deleteDonor, handleStream}\n"
		writeFile(b, filepath.Join(dir, pkg, "handlers.go"), code)
		fmt.Fprintf(&imports, "\t%q\n", "example.com/x/"+pkg)
		fmt.Fprintf(&uses, "\t_ = %s.Handlers\n", pkg)
		for _, h := range []string{"getDonor", "createDonor", "listDonors", "deleteDonor"} {
			m.Routes = append(m.Routes, manifest.Route{
				Pattern: "GET /" + pkg + "/" + h, Method: "GET", Path: "/" + pkg + "/" + h,
				Handler: manifest.Handler{Name: "example.com/x/" + pkg + "." + h},
			})
		}
	}
	writeFile(b, filepath.Join(dir, "main.go"), "package main\n\nimport (\n\t_ \"github.com/aws/aws-sdk-go-v2/config\"\n\t_ \"example.com/x/app\"\n"+imports.String()+")\n\nfunc main() {\n"+uses.String()+"}\n")
	m.Functions = []manifest.Function{{Name: manifest.APIHandlerName, Kind: manifest.KindAPI}}
	benchGenerate(b, policygen.Request{
		Dir: dir, Manifest: m, Stage: "dev", GoEnv: goEnv,
		Env: map[string]map[string]string{manifest.APIHandlerName: {"TABLE_NAME": "donors"}},
	})
}

func benchGenerate(b *testing.B, req policygen.Request) {
	b.Helper()
	ctx := context.Background()
	// Warm the build cache (export data of the SDK) before timing.
	if _, err := policygen.Generate(ctx, req); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		res, err := policygen.Generate(ctx, req)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Functions) == 0 {
			b.Fatal("no functions")
		}
	}
}

func writeFile(tb testing.TB, path, data string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// tenServices calls one operation of each of ten SDK services, the way a
// busy real-world function does.
const tenServices = `package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	lambdasvc "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

var cfg, _ = config.LoadDefaultConfig(context.Background())

func main() { lambda.Start(handle) }

func handle(ctx context.Context) error {
	dynamodb.NewFromConfig(cfg).GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(os.Getenv("TABLE"))})
	s3.NewFromConfig(cfg).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("reports"), Key: aws.String("r.csv")})
	sqs.NewFromConfig(cfg).SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(os.Getenv("QUEUE_URL"))})
	sns.NewFromConfig(cfg).Publish(ctx, &sns.PublishInput{TopicArn: aws.String(os.Getenv("TOPIC_ARN"))})
	lambdasvc.NewFromConfig(cfg).Invoke(ctx, &lambdasvc.InvokeInput{FunctionName: aws.String("resize")})
	secretsmanager.NewFromConfig(cfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db")})
	ssm.NewFromConfig(cfg).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/app/flag")})
	kinesis.NewFromConfig(cfg).PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("clicks")})
	eventbridge.NewFromConfig(cfg).PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{EventBusName: aws.String("orders")}}})
	_, err := sfn.NewFromConfig(cfg).StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(os.Getenv("MACHINE_ARN"))})
	return err
}
`

// BenchmarkGenerateMainTenServices is gen-policy --main on a program that
// calls ten SDK services (warm build cache): the cost of loading the
// services' type information.
func BenchmarkGenerateMainTenServices(b *testing.B) {
	dir := b.TempDir()
	goMod, err := os.ReadFile("../../go.mod")
	if err != nil {
		b.Fatal(err)
	}
	var req strings.Builder
	req.WriteString("module example.com/x\n\ngo 1.26\n\nrequire (\n")
	for _, line := range strings.Split(string(goMod), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && (f[0] == "github.com/aws/aws-lambda-go" || strings.HasPrefix(f[0], "github.com/aws/aws-sdk-go-v2")) {
			fmt.Fprintf(&req, "\t%s %s\n", f[0], f[1])
		}
	}
	req.WriteString(")\n")
	writeFile(b, filepath.Join(dir, "go.mod"), req.String())
	goSum, err := os.ReadFile("../../go.sum")
	if err != nil {
		b.Fatal(err)
	}
	writeFile(b, filepath.Join(dir, "go.sum"), string(goSum))
	writeFile(b, filepath.Join(dir, "main.go"), tenServices)
	mr := policygen.MainRequest{Dir: dir, GoEnv: goEnv, FunctionName: "busy",
		Env: map[string]string{"TABLE": "t", "QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
			"TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:t", "MACHINE_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:m"}}
	ctx := context.Background()
	first, err := policygen.GenerateMain(ctx, mr)
	if err != nil {
		b.Fatal(err)
	}
	if n := len(first.Explain); n < 13 {
		b.Fatalf("%d actions, want the ten services' and the logs'", n)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := policygen.GenerateMain(ctx, mr); err != nil {
			b.Fatal(err)
		}
	}
}
