//go:build amd64 && !purego

#include "textflag.h"

// Eight-wide float32 constants of the Cephes expf polynomial (see expf).
DATA silutab<>+0(SB)/4, $0x42b00000 // max
DATA silutab<>+4(SB)/4, $0x42b00000 // max
DATA silutab<>+8(SB)/4, $0x42b00000 // max
DATA silutab<>+12(SB)/4, $0x42b00000 // max
DATA silutab<>+16(SB)/4, $0x42b00000 // max
DATA silutab<>+20(SB)/4, $0x42b00000 // max
DATA silutab<>+24(SB)/4, $0x42b00000 // max
DATA silutab<>+28(SB)/4, $0x42b00000 // max
DATA silutab<>+32(SB)/4, $0xc2ae0000 // min
DATA silutab<>+36(SB)/4, $0xc2ae0000 // min
DATA silutab<>+40(SB)/4, $0xc2ae0000 // min
DATA silutab<>+44(SB)/4, $0xc2ae0000 // min
DATA silutab<>+48(SB)/4, $0xc2ae0000 // min
DATA silutab<>+52(SB)/4, $0xc2ae0000 // min
DATA silutab<>+56(SB)/4, $0xc2ae0000 // min
DATA silutab<>+60(SB)/4, $0xc2ae0000 // min
DATA silutab<>+64(SB)/4, $0x3fb8aa3b // log2e
DATA silutab<>+68(SB)/4, $0x3fb8aa3b // log2e
DATA silutab<>+72(SB)/4, $0x3fb8aa3b // log2e
DATA silutab<>+76(SB)/4, $0x3fb8aa3b // log2e
DATA silutab<>+80(SB)/4, $0x3fb8aa3b // log2e
DATA silutab<>+84(SB)/4, $0x3fb8aa3b // log2e
DATA silutab<>+88(SB)/4, $0x3fb8aa3b // log2e
DATA silutab<>+92(SB)/4, $0x3fb8aa3b // log2e
DATA silutab<>+96(SB)/4, $0x3f318000 // ln2hi
DATA silutab<>+100(SB)/4, $0x3f318000 // ln2hi
DATA silutab<>+104(SB)/4, $0x3f318000 // ln2hi
DATA silutab<>+108(SB)/4, $0x3f318000 // ln2hi
DATA silutab<>+112(SB)/4, $0x3f318000 // ln2hi
DATA silutab<>+116(SB)/4, $0x3f318000 // ln2hi
DATA silutab<>+120(SB)/4, $0x3f318000 // ln2hi
DATA silutab<>+124(SB)/4, $0x3f318000 // ln2hi
DATA silutab<>+128(SB)/4, $0xb95e8083 // ln2lo
DATA silutab<>+132(SB)/4, $0xb95e8083 // ln2lo
DATA silutab<>+136(SB)/4, $0xb95e8083 // ln2lo
DATA silutab<>+140(SB)/4, $0xb95e8083 // ln2lo
DATA silutab<>+144(SB)/4, $0xb95e8083 // ln2lo
DATA silutab<>+148(SB)/4, $0xb95e8083 // ln2lo
DATA silutab<>+152(SB)/4, $0xb95e8083 // ln2lo
DATA silutab<>+156(SB)/4, $0xb95e8083 // ln2lo
DATA silutab<>+160(SB)/4, $0x3f800000 // one
DATA silutab<>+164(SB)/4, $0x3f800000 // one
DATA silutab<>+168(SB)/4, $0x3f800000 // one
DATA silutab<>+172(SB)/4, $0x3f800000 // one
DATA silutab<>+176(SB)/4, $0x3f800000 // one
DATA silutab<>+180(SB)/4, $0x3f800000 // one
DATA silutab<>+184(SB)/4, $0x3f800000 // one
DATA silutab<>+188(SB)/4, $0x3f800000 // one
DATA silutab<>+192(SB)/4, $0x39506967 // p0
DATA silutab<>+196(SB)/4, $0x39506967 // p0
DATA silutab<>+200(SB)/4, $0x39506967 // p0
DATA silutab<>+204(SB)/4, $0x39506967 // p0
DATA silutab<>+208(SB)/4, $0x39506967 // p0
DATA silutab<>+212(SB)/4, $0x39506967 // p0
DATA silutab<>+216(SB)/4, $0x39506967 // p0
DATA silutab<>+220(SB)/4, $0x39506967 // p0
DATA silutab<>+224(SB)/4, $0x3ab743ce // p1
DATA silutab<>+228(SB)/4, $0x3ab743ce // p1
DATA silutab<>+232(SB)/4, $0x3ab743ce // p1
DATA silutab<>+236(SB)/4, $0x3ab743ce // p1
DATA silutab<>+240(SB)/4, $0x3ab743ce // p1
DATA silutab<>+244(SB)/4, $0x3ab743ce // p1
DATA silutab<>+248(SB)/4, $0x3ab743ce // p1
DATA silutab<>+252(SB)/4, $0x3ab743ce // p1
DATA silutab<>+256(SB)/4, $0x3c088908 // p2
DATA silutab<>+260(SB)/4, $0x3c088908 // p2
DATA silutab<>+264(SB)/4, $0x3c088908 // p2
DATA silutab<>+268(SB)/4, $0x3c088908 // p2
DATA silutab<>+272(SB)/4, $0x3c088908 // p2
DATA silutab<>+276(SB)/4, $0x3c088908 // p2
DATA silutab<>+280(SB)/4, $0x3c088908 // p2
DATA silutab<>+284(SB)/4, $0x3c088908 // p2
DATA silutab<>+288(SB)/4, $0x3d2aa9c1 // p3
DATA silutab<>+292(SB)/4, $0x3d2aa9c1 // p3
DATA silutab<>+296(SB)/4, $0x3d2aa9c1 // p3
DATA silutab<>+300(SB)/4, $0x3d2aa9c1 // p3
DATA silutab<>+304(SB)/4, $0x3d2aa9c1 // p3
DATA silutab<>+308(SB)/4, $0x3d2aa9c1 // p3
DATA silutab<>+312(SB)/4, $0x3d2aa9c1 // p3
DATA silutab<>+316(SB)/4, $0x3d2aa9c1 // p3
DATA silutab<>+320(SB)/4, $0x3e2aaaaa // p4
DATA silutab<>+324(SB)/4, $0x3e2aaaaa // p4
DATA silutab<>+328(SB)/4, $0x3e2aaaaa // p4
DATA silutab<>+332(SB)/4, $0x3e2aaaaa // p4
DATA silutab<>+336(SB)/4, $0x3e2aaaaa // p4
DATA silutab<>+340(SB)/4, $0x3e2aaaaa // p4
DATA silutab<>+344(SB)/4, $0x3e2aaaaa // p4
DATA silutab<>+348(SB)/4, $0x3e2aaaaa // p4
DATA silutab<>+352(SB)/4, $0x3f000000 // p5
DATA silutab<>+356(SB)/4, $0x3f000000 // p5
DATA silutab<>+360(SB)/4, $0x3f000000 // p5
DATA silutab<>+364(SB)/4, $0x3f000000 // p5
DATA silutab<>+368(SB)/4, $0x3f000000 // p5
DATA silutab<>+372(SB)/4, $0x3f000000 // p5
DATA silutab<>+376(SB)/4, $0x3f000000 // p5
DATA silutab<>+380(SB)/4, $0x3f000000 // p5
DATA silutab<>+384(SB)/4, $0x0000007f // 127
DATA silutab<>+388(SB)/4, $0x0000007f // 127
DATA silutab<>+392(SB)/4, $0x0000007f // 127
DATA silutab<>+396(SB)/4, $0x0000007f // 127
DATA silutab<>+400(SB)/4, $0x0000007f // 127
DATA silutab<>+404(SB)/4, $0x0000007f // 127
DATA silutab<>+408(SB)/4, $0x0000007f // 127
DATA silutab<>+412(SB)/4, $0x0000007f // 127
GLOBL silutab<>(SB), RODATA|NOPTR, $416

// func siluAVX2(y, s, z *float32, n int)
//
// For i < n (a multiple of 8): s[i] = 1/(1+exp(-z[i])), y[i] = z[i]*s[i].
// Each block of z is loaded before s and y are stored, so they may alias.
TEXT ·siluAVX2(SB), NOSPLIT, $0-32
	MOVQ y+0(FP), DI
	MOVQ s+8(FP), SI
	MOVQ z+16(FP), DX
	MOVQ n+24(FP), CX
	XORQ AX, AX
	VXORPS Y15, Y15, Y15

loop:
	CMPQ AX, CX
	JGE  done
	VMOVUPS (DX)(AX*4), Y0          // z
	VSUBPS  Y0, Y15, Y1             // x = -z
	VMINPS  silutab<>+0(SB), Y1, Y1
	VMAXPS  silutab<>+32(SB), Y1, Y1
	VMULPS  silutab<>+64(SB), Y1, Y2
	VROUNDPS $0, Y2, Y2             // n = round(x·log2e)
	VMOVAPS Y1, Y3
	VFNMADD231PS silutab<>+96(SB), Y2, Y3         // r = x - n·ln2hi
	VFNMADD231PS silutab<>+128(SB), Y2, Y3         // r -= n·ln2lo
	VMOVUPS silutab<>+192(SB), Y4
	VFMADD213PS silutab<>+224(SB), Y3, Y4          // p = p·r + p1
	VFMADD213PS silutab<>+256(SB), Y3, Y4
	VFMADD213PS silutab<>+288(SB), Y3, Y4
	VFMADD213PS silutab<>+320(SB), Y3, Y4
	VFMADD213PS silutab<>+352(SB), Y3, Y4
	VMULPS  Y3, Y3, Y5              // r²
	VADDPS  silutab<>+160(SB), Y3, Y6              // r + 1
	VFMADD231PS Y5, Y4, Y6          // e^r = p·r² + r + 1
	VCVTPS2DQ Y2, Y7
	VPADDD  silutab<>+384(SB), Y7, Y7
	VPSLLD  $23, Y7, Y7             // 2^n
	VMULPS  Y7, Y6, Y6              // exp(-z)
	VMOVUPS silutab<>+160(SB), Y5
	VADDPS  Y5, Y6, Y6
	VDIVPS  Y6, Y5, Y5              // s = 1/(1+exp(-z))
	VMULPS  Y5, Y0, Y0              // y = z·s
	VMOVUPS Y5, (SI)(AX*4)
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ    $8, AX
	JMP     loop

done:
	VZEROUPPER
	RET
