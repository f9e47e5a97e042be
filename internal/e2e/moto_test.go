package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// region is where every test deploys; moto's account is 123456789012.
const region = "us-east-1"

// moto is a running moto server.
type moto struct {
	url string
	cfg aws.Config // SDK configuration that reaches moto directly
}

// startMoto starts moto with ../shared/moto/moto-up.sh on a free port of
// 127.0.0.1 and stops it (by its PID) when the test ends. Without python
// (the script installs moto's Debian packages, but cannot without apt or
// root) the test is skipped; any other failure to start fails it.
func startMoto(t *testing.T, root string) *moto {
	t.Helper()
	script := filepath.Join(root, "..", "shared", "moto", "moto-up.sh")
	if _, err := os.Stat(script); err != nil {
		t.Skipf("no moto: %v (the end-to-end tests need ../shared/moto beside the checkout)", err)
	}
	port := freePort(t)
	cmd := exec.Command(script, strconv.Itoa(port))
	cmd.Env = append(os.Environ(), "MOTO_STATE_DIR="+t.TempDir())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		py := os.Getenv("PY")
		if py == "" {
			py = "/usr/bin/python3"
		}
		if _, perr := exec.LookPath(py); perr != nil {
			t.Skipf("moto cannot start: python is missing (%s: %v) and could not be installed: %s", py, perr, stderr.String())
		}
		t.Fatalf("moto-up.sh %d: %v\n%s", port, err, stderr.String())
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("moto-up.sh printed %q, not a PID: %v", out, err)
	}
	t.Cleanup(func() {
		if err := syscall.Kill(pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
			t.Errorf("stop moto (pid %d): %v", pid, err)
		}
	})
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	return &moto{url: url, cfg: aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(url),
	}}
}

// freePort is a TCP port of 127.0.0.1 that nothing listens on.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// reset wipes everything moto holds.
func (m *moto) reset(t *testing.T) {
	t.Helper()
	resp, err := http.Post(m.url+"/moto-api/reset", "application/json", nil)
	if err != nil {
		t.Fatalf("reset moto: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reset moto: %s", resp.Status)
	}
}

// streamTable creates a DynamoDB table with a stream (what savealife's
// handle_stream reads) and returns the stream's ARN.
func (m *moto) streamTable(t *testing.T, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := dynamodb.NewFromConfig(m.cfg).CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []dbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: dbtypes.ScalarAttributeTypeS}},
		KeySchema:            []dbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: dbtypes.KeyTypeHash}},
		BillingMode:          dbtypes.BillingModePayPerRequest,
		StreamSpecification:  &dbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: dbtypes.StreamViewTypeNewAndOldImages},
	})
	if err != nil {
		t.Fatalf("create table %s: %v", name, err)
	}
	return aws.ToString(out.TableDescription.LatestStreamArn)
}

// repoRoot is the checkout's root: the folder above this package's that
// holds go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("no go.mod in %s", dir)
	}
	return dir
}

// ordersSources makes what examples/orders's dev stage reads from (its
// queues, event bus, bucket, stream, and the supplier's topic) and
// returns the topic's ARN.
func (m *moto) ordersSources(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	check := func(what string, err error) {
		if err != nil {
			t.Fatalf("create %s: %v", what, err)
		}
	}
	for _, q := range []string{"orders-dev", "orders-failed-events"} {
		_, err := sqs.NewFromConfig(m.cfg).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(q)})
		check("queue "+q, err)
	}
	_, err := eventbridge.NewFromConfig(m.cfg).CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("payments")})
	check("event bus payments", err)
	_, err = s3.NewFromConfig(m.cfg, func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("orders-dev-invoices-123456789012")})
	check("bucket", err)
	_, err = kinesis.NewFromConfig(m.cfg).CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders-dev-clicks"), ShardCount: aws.Int32(1)})
	check("stream orders-dev-clicks", err)
	topic, err := sns.NewFromConfig(m.cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("supplier-stock")})
	check("topic supplier-stock", err)
	return aws.ToString(topic.TopicArn)
}
