/* Error codes and the one error slot: fallible functions return 0 or a
 * negative CDC_E* code and leave the message here; main prints it once. */
#ifndef CDCPACK_ERR_H
#define CDCPACK_ERR_H

/* The negated code is the process exit status (docs/design.md §2). */
enum cdc_err {
	CDC_OK = 0,
	CDC_EDIFF = -1,	   /* differences found (diff, verify) */
	CDC_EUSAGE = -2,   /* usage or configuration error */
	CDC_ERUNTIME = -3, /* source, target, I/O, integrity */
	CDC_ELOCKED = -75, /* another run holds the state dir lock */
	/* Not exit codes: conditions a caller is expected to handle. */
	CDC_ENOTFOUND = -100, /* object or row does not exist */
	CDC_EEXISTS = -101,   /* conditional write found the object there */
	CDC_EINTR = -102,     /* stopped by SIGINT/SIGTERM between steps */
};

/* Identity: lets err_set stand as a statement without an unused-value warning. */
static inline int err_code(int code)
{
	return code;
}

void err_set_message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void err_prefix_message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Sets the message and yields code, so that `return err_set(CDC_ERUNTIME, ...)`
 * reads well. A macro, so that static analysis sees the code returned. */
#define err_set(code, ...) (err_set_message(__VA_ARGS__), err_code(code))
/* Puts "what: " in front of the current message, for context added by callers. */
#define err_prefix(code, ...) (err_prefix_message(__VA_ARGS__), err_code(code))
const char *err_msg(void);
void err_clear(void);
/* Exit status for a return code: CDC_ENOTFOUND and friends count as runtime failures. */
int err_exit_status(int code);

#endif
