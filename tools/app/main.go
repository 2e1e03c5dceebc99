// A small HTTP server for rebound's kind examples and tests. Its behaviour is set by environment variables, so one
// image can play a healthy service, a slow starter, a pod that never becomes ready, or one that ignores SIGTERM:
//
//	PORT           port to serve on (default 8080)
//	VERSION        reported in every answer (default v1)
//	START_DELAY    wait this long before listening, e.g. 3s (default 0)
//	READY_DELAY    /ready answers 503 until this long after listening (default 0)
//	NEVER_READY    "true": /ready always answers 503
//	STOP_DELAY     on SIGTERM, keep serving this long before exiting (default 0: exit at once)
//	IGNORE_SIGTERM "true": SIGTERM does nothing (the kubelet must kill the container)
//
// GET / answers "<VERSION> <hostname>"; /healthz always 200 once listening; /ready per the settings above.
package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func duration(name string) time.Duration {
	value := os.Getenv(name)
	if value == "" {
		return 0
	}
	d, err := time.ParseDuration(value)
	if err != nil {
		log.Fatalf("%s=%q is not a duration (e.g. 3s): %v", name, value, err)
	}
	return d
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-v" {
		fmt.Println("rebound app")
		return
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	version := os.Getenv("VERSION")
	if version == "" {
		version = "v1"
	}
	host, _ := os.Hostname()
	readyDelay := duration("READY_DELAY")
	stopDelay := duration("STOP_DELAY")
	neverReady := os.Getenv("NEVER_READY") == "true"

	signals := make(chan os.Signal, 1)
	if os.Getenv("IGNORE_SIGTERM") == "true" {
		signal.Ignore(syscall.SIGTERM)
	} else {
		signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	}

	if d := duration("START_DELAY"); d > 0 {
		log.Printf("starting in %s", d)
		time.Sleep(d)
	}
	listening := time.Now()
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "%s %s\n", version, host)
	})
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/ready", func(w http.ResponseWriter, _ *http.Request) {
		if neverReady || time.Since(listening) < readyDelay {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	server := &http.Server{Addr: ":" + port, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := server.ListenAndServe(); err != nil && err != http.ErrServerClosed {
			log.Fatal(err)
		}
	}()
	log.Printf("%s serving on :%s", version, port)
	sig := <-signals
	log.Printf("%s: stopping in %s", sig, stopDelay)
	time.Sleep(stopDelay)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = server.Shutdown(ctx)
}
