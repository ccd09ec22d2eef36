Console.WriteLine("roberta-zh");
