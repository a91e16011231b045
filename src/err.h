/* Error codes and the one error slot: fallible functions return 0 or a
 * negative CDC_E* code and leave the message here; main prints it once. */
#ifndef CDCPACK_ERR_H
#define CDCPACK_ERR_H

/* The negated code is the process exit status (DESIGN.md §2). */
enum cdc_err {
	CDC_OK = 0,
	CDC_EDIFF = -1,    /* differences found (diff, verify) */
	CDC_EUSAGE = -2,   /* usage or configuration error */
	CDC_ERUNTIME = -3, /* source, target, I/O, integrity */
	CDC_ELOCKED = -75, /* another run holds the state dir lock */
	/* Not exit codes: conditions a caller is expected to handle. */
	CDC_ENOTFOUND = -100, /* object or row does not exist */
	CDC_EEXISTS = -101,   /* conditional write found the object there */
	CDC_EINTR = -102,     /* stopped by SIGINT/SIGTERM between steps */
};

/* Sets the message and returns code, so that `return err_set(CDC_ERUNTIME, ...)` reads well. */
int err_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Puts "what: " in front of the current message, for context added by callers. */
int err_prefix(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *err_msg(void);
void err_clear(void);
/* Exit status for a return code: CDC_ENOTFOUND and friends count as runtime failures. */
int err_exit_status(int code);

#endif
