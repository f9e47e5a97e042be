package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// ordersDir is the every-source example: routes behind each kind of
// authorizer and one function per event source, with a REST stage (dev)
// and an HTTP API stage (http).
const ordersDir = "../../examples/orders"

// TestOrdersExample plans, packages and generates the policies of the
// example without AWS credentials, for both stages; the outputs are
// golden.
func TestOrdersExample(t *testing.T) {
	noCredentials(t)
	if testing.Short() {
		t.Skip("builds the app")
	}
	for _, tc := range []struct {
		name   string
		args   []string
		golden string // under testdata
		file   string // the package's template, "" for stdout
		// wantErr is the error the command must fail with, "" for none.
		wantErr string
	}{
		{name: "deploy dev", args: []string{"deploy", "--dry-run", "--stage", "dev", "--region", "us-east-1"}, golden: "orders/dry-run-dev.golden"},
		{name: "deploy http", args: []string{"deploy", "--dry-run", "--stage", "http", "--region", "us-east-1"}, golden: "orders/dry-run-http.golden"},
		{name: "package dev tf", args: []string{"package", "--stage", "dev", "--pkg-format", "terraform"}, golden: "package/orders-dev-tf.json", file: "chalice.tf.json"},
		{name: "package http tf", args: []string{"package", "--stage", "http", "--pkg-format", "terraform"}, golden: "package/orders-http-tf.json", file: "chalice.tf.json"},
		// A SAM template cannot merge a notification into an existing
		// bucket's configuration, so S3 sources are refused there.
		{name: "package dev sam", args: []string{"package", "--stage", "dev", "--pkg-format", "cloudformation"}, file: "sam.json",
			wantErr: "s3_notification:invoices: CloudFormation cannot add a notification to an existing bucket without taking over its whole notification configuration, so the SAM template cannot hold S3 sources: deploy the app with gochalice deploy (which merges its notifications into the bucket's), or package it with --pkg-format terraform"},
		{name: "gen-policy", args: []string{"gen-policy", "--stage", "dev"}, golden: "orders/policies-dev.json"},
		{name: "gen-policy explain", args: []string{"gen-policy", "--stage", "dev", "--explain"}, golden: "orders/policies-dev-explain.txt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"gochalice"}, tc.args...)
			args = append(args, "--project-dir", ordersDir)
			out := filepath.Join(t.TempDir(), "out")
			if tc.file != "" {
				args = append(args, out)
			}
			var stdout, stderr bytes.Buffer
			err := runCLI(context.Background(), &stdout, &stderr, args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr.String())
			}
			if tc.file == "" {
				if diags := strings.TrimPrefix(stderr.String(), "note: no AWS credentials: planned against the recorded state only\n"); diags != "" {
					t.Errorf("diagnostics, want none:\n%s", diags)
				}
				ordersGolden(t, tc.golden, stdout.Bytes())
				return
			}
			tpl, err := os.ReadFile(filepath.Join(out, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			ordersGolden(t, tc.golden, tpl)
			// The package's report and its warnings (the bucket
			// notification, the other account's topic).
			report := strings.ReplaceAll(stdout.String()+stderr.String(), out, "OUT")
			ordersGolden(t, strings.TrimSuffix(tc.golden, ".json")+".out", []byte(report))
		})
	}
	if _, err := os.Stat(filepath.Join(ordersDir, ".chalice", "deployed")); err == nil {
		t.Errorf("a dry run recorded state")
	}
}

// TestOrdersExplainNotes checks what the generated explanation says about
// each source's permission model: pull sources are role statements on the
// exact source, push sources need none.
func TestOrdersExplainNotes(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the golden of TestOrdersExample")
	}
	data, err := os.ReadFile(filepath.Join("testdata", "orders", "policies-dev-explain.txt"))
	if err != nil {
		t.Fatalf("%v (run go test -run OrdersExample -update)", err)
	}
	got := string(data)
	for _, want := range []string{
		"event source: SQS queue (pull: the event source mapping reads it with the function's role) on arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:orders-dev",
		"event source: Kinesis stream (pull: the event source mapping reads it with the function's role) on arn:${AWS::Partition}:kinesis:${AWS::Region}:${AWS::AccountId}:stream/orders-dev-clicks",
		"failure destination: SQS queue on arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:orders-failed-events",
		"note: event source: EventBridge schedule cron(0 2 * * ? *) is push mode",
		"note: event source: EventBridge rule on bus arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/payments is push mode",
		"note: event source: SNS topic arn:aws:sns:us-east-1:210987654321:supplier-stock is push mode",
		"its topic policy must allow this account sns:Subscribe",
		"note: event source: S3 bucket arn:${AWS::Partition}:s3:::orders-dev-invoices-123456789012 is push mode",
		"SourceAccount = the bucket owner's account",
		"note: event source: API Gateway authorizer shop_token is push mode",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the explanation lacks %q", want)
		}
	}
}

func ordersGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	got = codeSHA.ReplaceAll(got, []byte("<code sha256>"))
	path := filepath.Join("testdata", name)
	if updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run OrdersExample -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}
