//! A size-class allocator for single-threaded wasm32: the npm build's global allocator.
//!
//! Every request is rounded up to a power of two (at least 16 bytes) and served from that
//! class's free list, else carved from fresh `memory.grow` pages aligned to its size. Freed
//! blocks return to their class and are reused, so a long-lived page's memory stays bounded
//! by twice its peak live bytes per class. ~400 bytes of wasm instead of dlmalloc's ~7 KB.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::cell::UnsafeCell;
use core::ptr::null_mut;

const PAGE: usize = 65_536;
const MIN_CLASS: u32 = 4; // 16 bytes: room for the free-list link, alignment for any primitive
const CLASSES: usize = usize::BITS as usize;

struct State {
    /// Head of each class's free list (0 when empty); a free block's first word links to the next.
    free: [usize; CLASSES],
    /// Next unused address in the grown region, and its end.
    next: usize,
    end: usize,
}

/// The allocator; `new` is `const` so it can be a `static`.
pub struct SizeClassAllocator(UnsafeCell<State>);

// SAFETY: wasm32-unknown-unknown without the atomics feature has exactly one thread.
unsafe impl Sync for SizeClassAllocator {}

impl SizeClassAllocator {
    /// An allocator that has not grown memory yet.
    pub const fn new() -> Self {
        Self(UnsafeCell::new(State { free: [0; CLASSES], next: 0, end: 0 }))
    }
}

impl Default for SizeClassAllocator {
    fn default() -> Self {
        Self::new()
    }
}

fn class(layout: Layout) -> u32 {
    let size = layout.size().max(layout.align()).max(1 << MIN_CLASS);
    usize::BITS - (size - 1).leading_zeros() // log2 of the next power of two
}

impl State {
    /// Carves a `size`-aligned block of `size` bytes from fresh pages.
    fn carve(&mut self, size: usize) -> *mut u8 {
        if self.end == 0 {
            self.end = wasm32::memory_size(0) * PAGE; // start past everything the linker placed
            self.next = self.end;
        }
        let start = (self.next + size - 1) & !(size - 1);
        let Some(needed) = (start + size).checked_sub(self.end) else {
            self.next = start + size;
            return start as *mut u8;
        };
        let pages = needed.div_ceil(PAGE);
        if wasm32::memory_grow(0, pages) == usize::MAX {
            return null_mut();
        }
        self.end += pages * PAGE;
        self.next = start + size;
        start as *mut u8
    }
}

unsafe impl GlobalAlloc for SizeClassAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let class = class(layout);
        if class as usize >= CLASSES - 1 {
            return null_mut(); // larger than the address space
        }
        // SAFETY: single-threaded, and no reference to the state outlives this call.
        let state = unsafe { &mut *self.0.get() };
        let head = state.free[class as usize];
        if head != 0 {
            // SAFETY: `head` is a freed block of this class whose first word is the next link.
            state.free[class as usize] = unsafe { *(head as *const usize) };
            return head as *mut u8;
        }
        state.carve(1 << class)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let class = class(layout) as usize;
        // SAFETY: as in `alloc`; `ptr` came from `alloc` with this layout, so it is its class's size.
        let state = unsafe { &mut *self.0.get() };
        unsafe { *(ptr as *mut usize) = state.free[class] };
        state.free[class] = ptr as usize;
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees `new_size` with `layout.align()` is a valid layout.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        if class(new_layout) == class(layout) {
            return ptr; // the block already has room
        }
        // SAFETY: forwarded from the caller's contract.
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            unsafe {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        new
    }
}
