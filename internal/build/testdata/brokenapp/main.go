// Command brokenapp does not compile: a build error must name the file.
package main

func main() {
	var n int = "not a number"
	_ = n
}
