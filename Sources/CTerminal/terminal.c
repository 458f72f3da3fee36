#include "terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved;
static volatile sig_atomic_t active = 0;
static volatile sig_atomic_t terminating = 0;
static int terminal_fd = -1;
static int events[2] = {-1, -1};
static char leave_sequence[256];
static size_t leave_length = 0;

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE};
static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};

static void restore(void) {
    if (!active) return;
    active = 0;
    tcsetattr(terminal_fd, TCSAFLUSH, &saved);
    ssize_t ignored = write(terminal_fd, leave_sequence, leave_length);
    (void)ignored;
}

static void on_fatal(int sig) {
    restore();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void on_stop(int sig) {
    if (terminating) {  // asked twice: the main loop is not answering
        restore();
        _exit(128 + sig);
    }
    terminating = 1;
    int saved_errno = errno;
    ssize_t ignored = write(events[1], "T", 1);
    (void)ignored;
    errno = saved_errno;
}

static void on_resize(int sig) {
    (void)sig;
    int saved_errno = errno;
    ssize_t ignored = write(events[1], "W", 1);
    (void)ignored;
    errno = saved_errno;
}

static void install(int sig, void (*handler)(int)) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(sig, &action, NULL);
}

int term_enter(int fd, const char *enter, const char *leave) {
    if (tcgetattr(fd, &saved) != 0) return -1;
    if (events[0] < 0) {
        if (pipe(events) != 0) return -1;
        for (int i = 0; i < 2; i++) {
            fcntl(events[i], F_SETFL, fcntl(events[i], F_GETFL) | O_NONBLOCK);
            fcntl(events[i], F_SETFD, FD_CLOEXEC);
        }
    }
    terminal_fd = fd;
    leave_length = strlen(leave);
    if (leave_length >= sizeof leave_sequence) leave_length = sizeof leave_sequence - 1;
    memcpy(leave_sequence, leave, leave_length);

    struct termios raw = saved;
    raw.c_iflag &= ~(BRKINT | ICRNL | INPCK | ISTRIP | IXON);
    raw.c_oflag &= ~(OPOST);
    raw.c_cflag |= CS8;
    raw.c_lflag &= ~(ECHO | ICANON | IEXTEN | ISIG);
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    for (size_t i = 0; i < sizeof fatal_signals / sizeof *fatal_signals; i++) install(fatal_signals[i], on_fatal);
    for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++) install(stop_signals[i], on_stop);
    install(SIGWINCH, on_resize);
    atexit(restore);
    if (tcsetattr(fd, TCSAFLUSH, &raw) != 0) return -1;
    active = 1;
    ssize_t ignored = write(fd, enter, strlen(enter));
    (void)ignored;
    return 0;
}

void term_leave(void) { restore(); }

int term_events(void) { return events[0]; }

int term_size(int fd, int *columns, int *rows, int *pixel_width, int *pixel_height) {
    struct winsize size;
    if (ioctl(fd, TIOCGWINSZ, &size) != 0) return -1;
    *columns = size.ws_col;
    *rows = size.ws_row;
    *pixel_width = size.ws_xpixel;
    *pixel_height = size.ws_ypixel;
    return 0;
}
