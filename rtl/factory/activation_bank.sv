// One lane's activation bank of the token factory: Depth words of Width bits
// (Slots bf16 activations, slot b at [b*16 +: 16]) with one write port and a
// registered read, the read register loaded when re_i is high (the block
// RAM's output register: token_slots loads it with address 0 at the start
// pulse and with the next address at each taken beat). Written as the
// simple dual-port RAM template yosys and vendor tools infer block RAM from;
// a write at an address outside 0 .. Depth-1 is dropped.
`include "ws_assert.svh"
module activation_bank #(
  parameter int Depth     = 256,
  parameter int Width     = 256,
  parameter int AddrBits  = Depth > 1 ? $clog2(Depth) : 1
) (
  input  logic                clk_i,
  input  logic                we_i,
  input  logic [AddrBits-1:0] waddr_i,
  input  logic [Width-1:0]    wdata_i,
  input  logic                re_i,
  input  logic [AddrBits-1:0] raddr_i,
  output logic [Width-1:0]    rdata_o
);
  `WS_ASSERT_STATIC(g_depth, Depth >= 1 && AddrBits >= 1 && (1 << AddrBits) >= Depth,
                    "activation_bank: Depth must be at least 1 and AddrBits must address it")

  logic [Width-1:0] mem [Depth];
  logic [Width-1:0] rdata_q;
  logic             write;

  assign write = we_i && 32'(waddr_i) < Depth;

  always_ff @(posedge clk_i) begin
    if (write) mem[waddr_i] <= wdata_i;
  end

  always_ff @(posedge clk_i) begin
    if (re_i) rdata_q <= mem[raddr_i];
  end

  assign rdata_o = rdata_q;
endmodule
