// Funnel shifter: out_o = the OutWidth bits of in_i from bit shift_i up
// (zeros past the top). Built as 4-way steps from the widest shift down, each
// step only as wide as the steps after it can still use, so that a step maps
// to one 6-input LUT a bit (two shift bits and four data bits); an odd
// ShiftWidth ends with a 2-way step. Kept as one module by synthesis: mapped
// inside a flattened design, ABC's delay-first mapping duplicates the steps
// and the logic around them (ans_lane: 47 LUTs more).
(* keep_hierarchy *)
module funnel_shift #(
  parameter int InWidth    = 64,
  parameter int OutWidth   = 16,
  parameter int ShiftWidth = 5
) (
  input  logic [InWidth-1:0]    in_i,
  input  logic [ShiftWidth-1:0] shift_i,
  output logic [OutWidth-1:0]   out_o
);
  localparam int NumSteps = (ShiftWidth + 1) / 2;
  for (genvar t = 0; t <= NumSteps; t++) begin : g_step
    // Data width after step t: OutWidth plus the largest shift still to come.
    localparam int Left  = ShiftWidth - 2 * t;
    localparam int Width = Left > 0 ? OutWidth + (1 << Left) - 1 : OutWidth;
    logic [Width-1:0] data;
    if (t == 0) begin : g_in
      if (InWidth >= Width) begin : g_cut
        assign data = in_i[Width-1:0];
      end else begin : g_pad
        assign data = {{(Width - InWidth){1'b0}}, in_i};
      end
    end else begin : g_shift
      localparam int Hi     = ShiftWidth - 2 * (t - 1) - 1;
      localparam int Lo     = Hi > 0 ? Hi - 1 : 0;
      localparam int PrevLeft  = ShiftWidth - 2 * (t - 1);
      localparam int PrevWidth = PrevLeft > 0 ? OutWidth + (1 << PrevLeft) - 1 : OutWidth;
      localparam int Unit   = 1 << Lo;
      localparam int Ways   = 2 << (Hi - Lo);
      logic [Hi-Lo:0] sel;
      assign sel = shift_i[Hi:Lo];
      for (genvar j = 0; j < Width; j++) begin : g_bit
        logic [Ways-1:0] pick;
        for (genvar c = 0; c < Ways; c++) begin : g_choice
          if (j + c * Unit < PrevWidth) begin : g_take
            assign pick[c] = g_step[t-1].data[j + c * Unit];
          end else begin : g_zero
            assign pick[c] = 1'b0;
          end
        end
        assign data[j] = pick[sel];
      end
    end
  end
  assign out_o = g_step[NumSteps].data;
endmodule
