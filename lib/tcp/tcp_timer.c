/* SPDX-License-Identifier: BSD-3-Clause */
/* stub: to be written */
