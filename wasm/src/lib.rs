//! The `.wasm` of the npm package: links pkce-wasm's `#[wasm_bindgen]` exports without std.
//!
//! Only a final binary may choose the panic handler and the global allocator, so they live
//! here and not in the library, which Rust apps link into their own std binaries.
#![no_std]

extern crate pkce_wasm;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: pkce_wasm::allocator::SizeClassAllocator = pkce_wasm::allocator::SizeClassAllocator::new();

/// A panic is a bug (user input never panics): trap without formatting a message.
#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}
