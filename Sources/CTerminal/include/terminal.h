// The terminal's state, kept in C because signal handlers must restore it and only
// async-signal-safe calls (tcsetattr, write) may run there; Swift code cannot promise that.
#ifndef TRIAGE_TERMINAL_H
#define TRIAGE_TERMINAL_H

// Saves the terminal's settings on `fd`, switches to raw input (no echo, no line editing, no
// signals from keys: Ctrl-C arrives as a byte), writes `enter` (alternate screen, hidden
// cursor), and installs handlers: SIGINT, SIGTERM and SIGHUP write 'T' and SIGWINCH writes 'W'
// to the pipe whose read end `term_events()` returns (a second SIGINT/SIGTERM/SIGHUP restores
// and exits at once); fatal signals (SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE) restore
// the terminal and then die as they would have. Returns 0, or -1 with errno set.
int term_enter(int fd, const char *enter, const char *leave);

// Restores what term_enter changed and writes `leave`. Safe to call more than once.
void term_leave(void);

// The read end of the event pipe (non-blocking), or -1 before term_enter.
int term_events(void);

// The window size in cells and, when the terminal reports it, in pixels (else 0). 0 or -1.
int term_size(int fd, int *columns, int *rows, int *pixel_width, int *pixel_height);

#endif
