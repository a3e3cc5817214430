"""nbval runs these notebooks in kernels started from pytest: give them one BLAS/OpenMP
thread, as ``scity run`` does, so outputs do not depend on the machine's core count."""

from scityhelpers.book.runner import pin_blas_threads

pin_blas_threads()
