//! Memcheck client requests through the C shim (`csrc/valgrind_shim.c`). The only
//! unsafe code of the project outside tests lives here: three FFI calls into the shim,
//! which only pass an address and a length to valgrind and never dereference them.

#![allow(unsafe_code)]

use std::ffi::c_void;

unsafe extern "C" {
    fn ctgrind_make_mem_undefined(addr: *const c_void, len: usize);
    fn ctgrind_make_mem_defined(addr: *const c_void, len: usize);
    fn ctgrind_running_on_valgrind() -> u32;
    fn ctgrind_have_client_requests() -> u32;
}

/// Tells memcheck that `bytes` hold secret ("undefined") data: any branch or memory
/// address computed from them from now on is reported.
pub fn mark_secret(bytes: &[u8]) {
    // SAFETY: the shim forwards the address range of a live slice to valgrind, which
    // only updates its shadow memory; no memory is read or written.
    unsafe { ctgrind_make_mem_undefined(bytes.as_ptr().cast(), bytes.len()) }
}

/// Tells memcheck that `bytes` are public from here on (a value that goes on the wire).
pub fn declassify(bytes: &[u8]) {
    // SAFETY: as in `mark_secret`.
    unsafe { ctgrind_make_mem_defined(bytes.as_ptr().cast(), bytes.len()) }
}

/// Whether this process runs under valgrind.
pub fn running_on_valgrind() -> bool {
    // SAFETY: a client request without arguments.
    unsafe { ctgrind_running_on_valgrind() != 0 }
}

/// Whether the shim was built with the valgrind headers (else it is a stub).
pub fn have_client_requests() -> bool {
    // SAFETY: a plain function returning a constant.
    unsafe { ctgrind_have_client_requests() != 0 }
}
