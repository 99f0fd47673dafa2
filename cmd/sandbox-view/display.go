package main

// The window library panics during package initialisation when it cannot
// open the display (docs/facts.md), before main or any Go code of this
// program runs. This C constructor runs earlier still, as the binary is
// loaded: it opens and closes the display with Xlib (loaded as glfw loads
// it, with dlopen) and exits with status 1 and one line if that fails.
// Flags are checked after it, -h included: `sandbox view` checks them
// first and prints the help without a display.

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void sandboxViewProbeDisplay(void) {
	const char *display = getenv("DISPLAY");
	if (display == NULL || display[0] == '\0') {
		fprintf(stderr, "sandbox view: cannot open a window: DISPLAY is not set (the window needs X11, or XWayland; headless, run under xvfb-run -a; sandbox record writes a GIF without one)\n");
		_exit(1);
	}
	void *x11 = dlopen("libX11.so.6", RTLD_LAZY | RTLD_LOCAL);
	if (x11 == NULL) {
		fprintf(stderr, "sandbox view: cannot open a window on DISPLAY=%s: cannot load libX11.so.6 (%s)\n", display, dlerror());
		_exit(1);
	}
	void *(*openDisplay)(const char *) = (void *(*)(const char *))dlsym(x11, "XOpenDisplay");
	int (*closeDisplay)(void *) = (int (*)(void *))dlsym(x11, "XCloseDisplay");
	if (openDisplay == NULL || closeDisplay == NULL) {
		fprintf(stderr, "sandbox view: cannot open a window on DISPLAY=%s: libX11.so.6 lacks XOpenDisplay\n", display);
		_exit(1);
	}
	void *dpy = openDisplay(NULL);
	if (dpy == NULL) {
		fprintf(stderr, "sandbox view: cannot open a window on DISPLAY=%s: XOpenDisplay failed (no X server there, or no permission; start one, or run headless with xvfb-run -a)\n", display);
		_exit(1);
	}
	closeDisplay(dpy);
}
*/
import "C"
